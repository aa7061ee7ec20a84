/**
 * The scale-to-zero plan: a pure function of (groups, instances, settings, now). It acts only on
 * TRANSITIONS of a resource's schedule. Each resource carries ScaleToZeroLastTransition, the
 * transition last acted on; while the latest transition of the schedule is that one, the resource is
 * left as people set it, so a late worker who starts a box at 21:00 is not fought every 15 minutes,
 * and a run that was missed or failed leaves the transition unrecorded for the next run to catch up.
 *
 * Tags can be written by anyone who may tag the resource, so a tag alone never makes the plan act:
 * ScaleToZeroLastTransition records what this function did at the transition ("… scaled-to-zero
 * max=4", "… stopped=<time>"), and a group is restored or an instance started only when that record
 * is for the off period that just ended and the saved sizes or the stopped-at marker agree with it.
 * Anything else is skipped and reported. Each decision is the first verdict of an ordered rule list
 * (group-rules.ts, instance-rules.ts) and names its rule.
 */
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../domain';
import { TAG } from '../../tags';
import {
  groupFacts,
  instanceFacts,
  planContext,
  scheduleFacts,
  tagFacts,
  transitionFacts,
  type PlanContext,
  type TagFacts,
  type TransitionFacts,
} from './facts';
import { databaseFacts } from './database-facts';
import { DATABASE_STAGES } from './database-rules';
import { GROUP_STAGES } from './group-rules';
import { INSTANCE_STAGES } from './instance-rules';
import { firstVerdict, type RuleInfo, type RuleStages, type RuledVerdict } from './rule';
import type { DatabaseRecord, PlanScaleInput, ResourceType, ScaleDecision, ScalePlan } from './types';

function ordered<G extends TagFacts, T extends TransitionFacts>(
  stages: RuleStages<G, T>,
): readonly RuleInfo[] {
  return [...stages.tags, ...stages.schedule, ...stages.transition].map(({ name, summary }) => ({
    name,
    summary,
  }));
}

/** A group's rules in the order they are asked; the first that decides names the decision. */
export const GROUP_RULES: readonly RuleInfo[] = ordered(GROUP_STAGES);
/** An instance's rules in the order they are asked. */
export const INSTANCE_RULES: readonly RuleInfo[] = ordered(INSTANCE_STAGES);
/** A database's rules (RDS DB instances and Aurora DB clusters) in the order they are asked. */
export const DATABASE_RULES: readonly RuleInfo[] = ordered(DATABASE_STAGES);

export function planScale(input: PlanScaleInput): ScalePlan {
  const ctx = planContext(input);
  const decisions = [
    ...input.groups.map((g) => decideGroup(g, ctx)),
    ...input.instances.map((i) => decideInstance(i, ctx)),
    ...decideDatabases(input.databases ?? [], ctx),
  ];
  const actions = decisions.flatMap((d) => (d.action ? [d.action] : []));
  const instanceHoursSaved = decisions.reduce((sum, d) => sum + (d.instanceHoursSaved ?? 0), 0);
  return { decisions, actions, instanceHoursSaved };
}

function decideGroup(g: AutoScalingGroupRecord, ctx: PlanContext): ScaleDecision {
  const tags = { ...tagFacts(g.name, g.tags, ctx), group: g };
  return judge('auto-scaling-group', GROUP_STAGES, tags, ctx, (f) => groupFacts(f, g, ctx));
}

function decideInstance(i: ScalableInstanceRecord, ctx: PlanContext): ScaleDecision {
  const tags = { ...tagFacts(i.id, i.tags, ctx), instance: i, managedGroups: ctx.managedGroups };
  return judge('instance', INSTANCE_STAGES, tags, ctx, (f) => instanceFacts(f, i, ctx));
}

function decideDatabases(databases: readonly DatabaseRecord[], ctx: PlanContext): ScaleDecision[] {
  const managedClusters = new Set(
    databases
      .filter((d) => d.type === 'db-cluster' && d.tags[TAG.scaleToZero] !== undefined)
      .map((d) => d.id),
  );
  return databases.map((d) => {
    const tags = { ...tagFacts(d.id, d.tags, ctx), database: d, managedClusters };
    return judge(d.type, DATABASE_STAGES, tags, ctx, (f) => databaseFacts(f, d));
  });
}

/** Asks the stages in order; the facts of a later stage exist only once the earlier rules passed. */
function judge<G extends TagFacts, T extends TransitionFacts>(
  resourceType: ResourceType,
  stages: RuleStages<G, T>,
  tags: G,
  ctx: PlanContext,
  facts: (f: TransitionFacts) => T,
): ScaleDecision {
  const decision = (d: RuledVerdict, ignoredTags: ScaleDecision['ignoredTags']): ScaleDecision => ({
    resourceType,
    resourceId: tags.resourceId,
    ...d.verdict,
    rule: d.rule,
    ignoredTags,
  });
  const byTags = firstVerdict(stages.tags, tags);
  if (byTags) return decision(byTags, []);
  const scheduled = scheduleFacts(tags, ctx);
  const bySchedule = scheduled && firstVerdict(stages.schedule, scheduled);
  if (bySchedule) return decision(bySchedule, scheduled.ignoredTags);
  const transition = scheduled && transitionFacts(scheduled, ctx);
  const byTransition = transition && firstVerdict(stages.transition, facts(transition));
  if (byTransition) return decision(byTransition, transition.ignoredTags);
  // Whatever passes the tag rules has a schedule, and the last off and on rules decide whatever is
  // left: reaching here is a gap in the rule lists, not a property of the resource.
  throw new Error(
    `scale-to-zero: no rule decided ${resourceType} ${tags.resourceId}; the rule lists have a gap`,
  );
}
