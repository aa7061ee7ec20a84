/**
 * A deliberately naive tagger, for comparison only: the same reads and the same plan as the real
 * one, but one CreateTags per AMI, one after the other, the way a first script against the SDK
 * often does it. The benchmark runs it beside the real tagger so the cost of per-resource writes
 * is visible in one run.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';

import type { AwsClients } from '../shared/aws/clients';
import { readImageInventory } from '../shared/aws/inventory';
import type { RunSummaryDetail } from '../shared/events';
import { planTagging } from '../shared/plan/tagging';
import { formatTimestamp, TAG } from '../shared/tags';
import { collectUsage } from '../shared/usage';

export async function runNaiveTagger(
  clients: AwsClients,
  now: Date,
  freshnessMinutes = 60,
): Promise<{ summary: RunSummaryDetail; createTagsCalls: number }> {
  const inventory = await readImageInventory(clients, clients.region);
  const usage = collectUsage(inventory.sources, { ssmParameters: inventory.ssmParameters });
  const plan = planTagging({ images: inventory.images, usage, now, freshnessMinutes });
  const stamp = formatTimestamp(now);
  const inUse = new Set(plan.lastUsed);
  const blind = new Set(plan.observedSince);
  const summary: RunSummaryDetail = {
    function: 'tagger',
    region: clients.region,
    accountId: inventory.accountId,
    startedAt: stamp,
    finishedAt: stamp,
    dryRun: false,
    incomplete: false,
    counts: {},
    failures: [],
    skipped: [],
  };
  let calls = 0;
  for (const id of new Set([...plan.lastUsed, ...plan.runtime])) {
    const tags: { Key: string; Value: string }[] = [{ Key: TAG.lastUsedRuntime, Value: stamp }];
    if (inUse.has(id)) tags.push({ Key: TAG.lastUsed, Value: stamp });
    if (blind.has(id)) tags.push({ Key: TAG.lastUsedObservedSince, Value: stamp });
    calls++;
    try {
      await clients.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: tags }));
    } catch (err) {
      summary.failures.push({ resourceId: id, action: 'CreateTags', message: String(err) });
    }
  }
  summary.counts = {
    imagesSeen: inventory.images.length,
    inUse: plan.lastUsed.length,
    createTagsCalls: calls,
  };
  return { summary, createTagsCalls: calls };
}
