/**
 * Recycle Bin retention rules as cleanup reads them (ListRules, then GetRule per rule), past the
 * adapter boundary: plain records, no SDK or wire shapes.
 */

/** The two resource types a cleanup deletion can send to the Recycle Bin. */
export type RecycleBinResourceType = 'EC2_IMAGE' | 'EBS_SNAPSHOT';

/** A rule's tag: the key, and the value when the rule names one (absent: any value of that key). */
export interface RuleTag {
  key: string;
  value?: string;
}

/** AWS's lock states; 'none' is a rule that was never locked (AWS reports no LockState). */
export type RuleLockState = 'locked' | 'pending_unlock' | 'unlocked' | 'none';

export interface RecycleBinRule {
  /** The rule's identifier, e.g. `a1B2c3D4e5F` (11 characters). */
  id: string;
  resourceType: RecycleBinResourceType;
  /** 'available' or 'pending' (AWS is still applying it); only 'available' rules retain anything. */
  status: string;
  /** RetentionPeriod in days (AWS's only unit). */
  retentionDays: number;
  /** Tag-level rule: a resource carrying at least one of these is retained. Empty: a Region-level rule. */
  resourceTags: RuleTag[];
  /** Region-level rule only: a resource carrying one of these is not retained. */
  excludeTags: RuleTag[];
  lockState: RuleLockState;
  /** When a pending_unlock rule's unlock delay ends (then it can be changed or deleted). */
  lockEndTime?: Date;
}

/**
 * What a run learnt of the region's rules: every rule of both types, or why they could not be read
 * (AccessDenied, an outage): then whether a deletion would be recoverable is unknown.
 */
export type RecycleBinRead = { kind: 'read'; rules: RecycleBinRule[] } | { kind: 'failed'; message: string };

/** Whether deleting one resource now would send it to the Recycle Bin, and for how long. */
export type Coverage =
  | {
      covered: false;
      /** Why no rule can retain it whatever the rules say (an instance-store-backed AMI). */
      why?: string;
    }
  | {
      covered: true;
      /** The covering rule with the longest retention (ties: locked first, then by id). */
      ruleId: string;
      retentionDays: number;
      lockState: RuleLockState;
      /** A locked rule (or one still in its unlock delay) cannot be changed or deleted meanwhile. */
      locked: boolean;
      /** Deletion time + retention: until when the resource could be restored. */
      until: Date;
    };

export interface SnapshotCoverage {
  snapshotId: string;
  coverage: Coverage;
}

/** Per AMI: its own coverage and that of each snapshot that would be deleted with it. */
export interface ImageRecoverability {
  imageId: string;
  image: Coverage;
  snapshots: SnapshotCoverage[];
  /**
   * Until when the AMI could be restored whole (the earliest of its and its snapshots' dates), if
   * deleted now; absent when the AMI or one of those snapshots no rule covers.
   */
  recoverableUntil?: Date;
}
