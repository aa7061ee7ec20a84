/** The scale-to-zero plan's records: what it reads, what it decides and the actions it asks for. */
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../domain';
import type { Holidays, ScheduleSource } from '../../schedule';
import type { TagProblem, Tags } from '../../tags';
import type { MaintenanceWindow, PatchWindowSettings } from './patch-windows';

export interface Capacity {
  min: number;
  desired: number;
  max: number;
}

export interface ScalePlanSettings extends ScheduleSource {
  holidays: Holidays;
  /** Largest max a group is scaled down from or restored to (SCALE_MAX_RESTORE_CAPACITY). */
  maxRestoreCapacity?: number;
  /** Patch windows (SCALE_PATCH_WINDOWS, SCALE_PATCH_WINDOW_LEAD_MINUTES); absent: on, 30 minutes. */
  patchWindows?: PatchWindowSettings;
}

export interface PlanScaleInput {
  groups: readonly AutoScalingGroupRecord[];
  instances: readonly ScalableInstanceRecord[];
  /** RDS DB instances and Aurora DB clusters (absent: none read). */
  databases?: readonly DatabaseRecord[];
  settings: ScalePlanSettings;
  now: Date;
  /** Enabled maintenance windows (none when not read), and the tags each group propagates at launch. */
  maintenanceWindows?: readonly MaintenanceWindow[];
  propagatedTags?: ReadonlyMap<string, Tags>;
}

export type ResourceType = 'auto-scaling-group' | 'instance' | DatabaseType;

export type ScaleAction =
  | { kind: 'scale-group-to-zero'; group: string; saved: Capacity; transition: Date }
  | { kind: 'restore-group'; group: string; restore: Capacity; transition: Date; patch?: PatchStart }
  /** hibernate: StopInstances with Hibernate=true (ScaleToZeroAction=hibernate, and configured for it). */
  | { kind: 'stop-instance'; instanceId: string; transition: Date; hibernate?: boolean }
  | { kind: 'start-instance'; instanceId: string; transition: Date; patch?: PatchStart }
  | { kind: 'stop-database'; database: DatabaseRef; transition: Date }
  | { kind: 'start-database'; database: DatabaseRef; transition: Date }
  /** A database's bookkeeping only, as record-transition is for groups and instances. */
  | {
      kind: 'record-database';
      database: DatabaseRef;
      transition: Date;
      dropMarker: boolean;
      carried?: TransitionDeed;
    }
  /** Nothing to change but the bookkeeping: record the transition (and drop a stale marker tag). */
  | {
      kind: 'record-transition';
      resourceType: ResourceType;
      resourceId: string;
      transition: Date;
      dropMarker: boolean;
      /**
       * Still off from an earlier off period (its restore or start never happened): the record
       * moves to this transition with what was done then, so the next on transition restores it.
       */
      carried?: TransitionDeed;
    };

/** What the function did at a transition, as ScaleToZeroLastTransition records it. */
export type TransitionDeed =
  { kind: 'nothing' } | { kind: 'scaled-to-zero'; max: number } | { kind: 'stopped'; stoppedAt: Date };

export interface TransitionRecord {
  at: Date;
  deed: TransitionDeed;
  /** Turned on again for a maintenance window, until its end (`… patching=mw-… until=<time>`). */
  patch?: PatchMark;
}

export interface PatchMark {
  window: string;
  until: Date;
}

/**
 * A start or restore for a maintenance window while the schedule is off: the record keeps what was
 * done at the off transition (the stop or scale-down) and adds the window, so only this function's
 * own start is returned to off when the window ends, and the morning still finds its own record.
 */
export interface PatchStart extends PatchMark {
  carried: TransitionDeed;
}

export type Outcome = 'scale-to-zero' | 'restore' | 'stop' | 'start' | 'record' | 'keep' | 'wait' | 'skip';

export interface ScaleDecision {
  resourceType: ResourceType;
  resourceId: string;
  outcome: Outcome;
  reason: string;
  /** The name of the rule that decided (see GROUP_RULES and INSTANCE_RULES). */
  rule: string;
  action?: ScaleAction;
  /** Instance-hours this action saves until the schedule turns the resource on again. */
  instanceHoursSaved?: number;
  /**
   * A database stop: the hours it stays stopped, until the schedule turns it on again and at most
   * the 7 days after which RDS starts it by itself (per member instance, for an Aurora cluster).
   */
  databaseHoursOff?: number;
  /** The unreadable tag that made the plan skip this resource. */
  tagProblem?: TagProblem;
  /** Tags read and deliberately ignored (an expired or malformed override), for the report. */
  ignoredTags: IgnoredTag[];
}

export interface IgnoredTag {
  tag: string;
  value: string;
  reason: string;
  expected?: string;
}

export interface ScalePlan {
  decisions: ScaleDecision[];
  actions: ScaleAction[];
  instanceHoursSaved: number;
}

/** What a rule decides for a resource; the planner adds the resource, the rule's name and ignored tags. */
export type Verdict = Omit<ScaleDecision, 'resourceType' | 'resourceId' | 'rule' | 'ignoredTags'>;

// ---- databases: RDS DB instances and Aurora DB clusters -------------------------------------

export type DatabaseType = 'db-instance' | 'db-cluster';

/** A database as scale-to-zero sees it: enough to decide whether RDS lets it stop and start. */
export interface DatabaseRecord {
  type: DatabaseType;
  /** DBInstanceIdentifier or DBClusterIdentifier. */
  id: string;
  arn: string;
  /** DBInstanceStatus or the cluster's Status: available, stopped, stopping, starting, … */
  status: string;
  engine: string;
  tags: Tags;
  /** DB instance class, for the report. */
  instanceClass?: string;
  multiAz?: boolean;
  /** A DB instance's Aurora cluster (the cluster is what stops and starts). */
  clusterId?: string;
  /** The source of a read replica (instance) or of a replica cluster. */
  replicaOf?: string;
  /** This database's own read replicas. */
  replicaIds?: string[];
  /** An Aurora cluster's member instances and their classes: what its stop turns off. */
  members?: { id: string; instanceClass?: string }[];
  /** A cluster's engine mode: provisioned, serverless (v1), … */
  engineMode?: string;
}

/** What the apply step needs to act on a database: its kind, name and ARN (RDS tags by ARN). */
export interface DatabaseRef {
  type: DatabaseType;
  id: string;
  arn: string;
}
