/**
 * `npm start`: the fleet's main job on the embedded local account. Starts the sandbox on 127.0.0.1,
 * points the real SDK clients at it (never at AWS), runs the stories and prints what happened.
 */
import { startSandbox } from '../sandbox/server';
import { DETAIL_TYPE } from '../shared/events';
import { METRICS_NAMESPACE, describeMetrics } from '../shared/metrics';
import { runAmiLifecycleStory } from './ami-lifecycle';
import { renderNotifierStory } from './notifier';
import { runRecoveryStory } from './recovery';
import { describeSavings, runScaleToZeroStory } from './scale-to-zero';
import { runSelfHealStory } from './self-heal';

async function main(): Promise<void> {
  const started = Date.now();
  // Node 20 is supported for local runs until the SDK pin moves (docs/development.md, "Node.js versions").
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sandbox = await startSandbox();
  // The SDK reads these when a client is built: every call goes to the sandbox. Each story signs
  // as the function it runs, so the sandbox holds every call to that function's IAM role.
  Object.assign(process.env, sandbox.env('eu-west-1', 'admin'));
  try {
    console.log('ec2-hygiene demo: the real jobs on a local sandbox account');
    console.log(`(sandbox at ${sandbox.url}; no AWS account is used)`);
    console.log(
      "(each job signs as its own function: the sandbox allows only what that function's IAM role in the stack allows)\n",
    );
    console.log('== AMI lifecycle: two simulated weeks ==\n');
    const story = await runAmiLifecycleStory(sandbox);
    for (const line of story.lines) console.log(line);
    const events = sandbox.state.events;
    const refusals = events.filter((e) => e.detailType === DETAIL_TYPE.cleanupRefused).length;
    console.log(
      `\nEventBridge received ${events.length} events from the runs (${refusals} cleanup refusal), for the notifier.`,
    );
    const total = sandbox.requests.all().length;
    console.log(
      `${story.taggerRuns} tagger runs and ${story.cleanupRuns} cleanup runs (${story.refusedRuns} refused), ` +
        `${total} API requests to the sandbox, ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
    const freed = story.snapshotSavings;
    console.log(
      `Snapshot storage freed over the two weeks: ${freed.gib} GiB at most (snapshots are incremental), ` +
        `an estimated $${freed.usdPerMonth.toFixed(2)} a month.`,
    );
    console.log(`\nMetrics the runs wrote (EMF, namespace ${METRICS_NAMESPACE}; totals over the story):`);
    for (const line of describeMetrics(story.metrics)) console.log(`  ${line}`);
    console.log('\n== Scale-to-zero: a dev environment over a simulated Monday night ==\n');
    const scale = await runScaleToZeroStory(sandbox);
    const failed = scale.checks.filter((c) => !c.ok);
    console.log(`\n${scale.checks.length - failed.length}/${scale.checks.length} story checks held.`);
    const { usd, instanceHours, unpricedTypes } = scale.savings;
    console.log(`Savings in money: ${describeSavings(usd, instanceHours, unpricedTypes)}.`);
    for (const c of failed) console.log(`  did NOT hold: ${c.what}`);
    if (failed.length > 0) process.exitCode = 1;

    console.log('\n== Recovery: an opted-in database box whose host fails ==\n');
    const recovery = await runRecoveryStory(sandbox);
    const recoveryFailed = recovery.checks.filter((c) => !c.ok);
    console.log(
      `\n${recovery.checks.length - recoveryFailed.length}/${recovery.checks.length} story checks held.`,
    );
    if (recoveryFailed.length > 0) process.exitCode = 1;

    console.log('\n== Self-heal: a single instance replaced by its group ==\n');
    const selfHeal = await runSelfHealStory(sandbox);
    const selfHealFailed = selfHeal.checks.filter((c) => !c.ok);
    console.log(
      `\n${selfHeal.checks.length - selfHealFailed.length}/${selfHeal.checks.length} story checks held.`,
    );
    if (selfHealFailed.length > 0) process.exitCode = 1;

    console.log('\n== Notifier: what the destinations would receive ==\n');
    console.log(renderNotifierStory(sandbox));
  } finally {
    await sandbox.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
