/**
 * The recovery story for the demo (`npm start`): the real recovery handler, signed as its own role,
 * on the sandbox account. A database box opts in and gets its two alarms; an instance-store cache
 * and a malformed tag are reported; the host under the database fails its system status check, the
 * alarm fires and EC2 recovers the instance in place (same id); when the box is terminated its
 * alarms go.
 */
import type { Context } from 'aws-lambda';

import { makeRecoveryHandler } from '../functions/recovery/handler';
import { breachAlarm, cloudWatchAlarms, recoveriesOf } from '../sandbox/services/cloudwatch';
import type { Sandbox } from '../sandbox/server';
import type { RunSummaryDetail } from '../shared/events';

export interface RecoveryStoryResult {
  summaries: RunSummaryDetail[];
  checks: { what: string; ok: boolean }[];
}

const context = (): Context =>
  ({
    functionName: 'recovery',
    getRemainingTimeInMillis: () => 5 * 60_000,
  }) as unknown as Context;

export async function runRecoveryStory(
  sandbox: Sandbox,
  options: { region?: string; print?: (line: string) => void } = {},
): Promise<RecoveryStoryResult> {
  const regionName = options.region ?? 'eu-west-1';
  // Bound now: each run silences console.log (the handler's JSON lines) while the story narrates.
  const log = console.log.bind(console);
  const print = options.print ?? ((line: string) => log(line));
  const prefix = 'ec2-hygiene-local-recover-';
  const topic = `arn:aws:sns:${regionName}:${sandbox.state.accountId}:ec2-hygiene-local-notifications`;
  const env = {
    ...sandbox.env(regionName, 'recovery'),
    REGIONS: regionName,
    RECOVERY_ALARM_PREFIX: prefix,
    NOTIFICATION_TOPIC_ARN: topic,
  };
  Object.assign(process.env, sandbox.env(regionName, 'recovery'));
  const handler = makeRecoveryHandler({ env });
  const region = sandbox.state.region(regionName);
  const alarms = cloudWatchAlarms(sandbox.state, regionName);
  const summaries: RunSummaryDetail[] = [];
  const checks: RecoveryStoryResult['checks'] = [];
  const check = (what: string, ok: boolean) => {
    checks.push({ what, ok });
    print(`  ${ok ? 'ok' : 'NOT OK'}: ${what}`);
  };
  const run = async (label: string) => {
    const originalLog = console.log;
    console.log = () => undefined; // the JSON decision lines; the story narrates instead
    try {
      const out = (await handler({ source: 'aws.events' }, context())) as { summaries: RunSummaryDetail[] };
      summaries.push(...out.summaries);
      const s = out.summaries[0]!;
      print(
        `${label}: ${s.counts.alarmsWritten ?? 0} alarms written, ${s.counts.alarmsDeleted ?? 0} deleted, ` +
          `${s.skipped.length} skipped`,
      );
      for (const k of s.skipped) print(`  skipped ${k.resourceId}: ${k.reason}`);
      return s;
    } finally {
      console.log = originalLog;
    }
  };

  const image = region.addImage({ name: 'demo-db-base' });
  const db = region.addInstance({
    imageId: image.id,
    instanceType: 'm5.large',
    tags: { Name: 'demo-db', AutoRecover: 'true' },
  });
  const cache = region.addInstance({
    imageId: image.id,
    instanceType: 'i3.large',
    rootDeviceType: 'instance-store',
    tags: { Name: 'demo-cache', AutoRecover: 'true' },
  });
  const typo = region.addInstance({ imageId: image.id, tags: { Name: 'demo-typo', AutoRecover: 'yes' } });

  await run('first run');
  const system = `${prefix}${db.id}-system`;
  check(
    'demo-db has a recover alarm and a reboot alarm',
    alarms.has(system) && alarms.has(`${prefix}${db.id}-instance`),
  );
  check(
    'the instance-store cache and the malformed tag are reported, not alarmed',
    summaries[0]!.skipped.some((s) => s.resourceId === cache.id) &&
      summaries[0]!.skipped.some((s) => s.resourceId === typo.id && s.value === 'yes'),
  );
  const second = await run('second run');
  check('a second run writes nothing', (second.counts.putMetricAlarmCalls ?? -1) === 0);

  print(`the host under demo-db (${db.id}) fails its system status check...`);
  for (const played of breachAlarm(sandbox.state, regionName, system))
    print(`  ${played.action}: ${played.outcome}`);
  check(
    'EC2 recovered demo-db in place: same id, running',
    recoveriesOf(sandbox.state, regionName).get(db.id) === 1 &&
      region.getInstance(db.id)?.state === 'running',
  );

  db.state = 'terminated';
  await run('after demo-db is terminated');
  check("demo-db's alarms are gone", !alarms.has(system) && !alarms.has(`${prefix}${db.id}-instance`));
  return { summaries, checks };
}
