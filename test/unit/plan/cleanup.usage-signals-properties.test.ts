/**
 * Property: over random accounts of launch templates (any number of versions, any $Default, the
 * newest-N setting or not), EC2 Fleets, Spot Fleet requests, Spot instance requests and aws:ec2:image
 * parameters, in every state, no AMI that one of them uses is ever planned for deletion, and a
 * reference that names a version that does not exist makes the plan refuse. "Uses" is re-derived
 * here from the rules in docs/tagger.md's usage table ("What counts as in use"), not from shared/usage.ts.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type {
  FleetRecord,
  LaunchTemplateRecord,
  LaunchTemplateVersionRecord,
  SpotInstanceRequestRecord,
  UsageSources,
} from '../../../shared/domain';
import { DEFAULT_CLEANUP_SETTINGS, planCleanup } from '../../../shared/plan/cleanup';
import { collectUsage } from '../../../shared/usage';
import { NOW, image, snapshotsOf } from '../../helpers/plan-fixtures';

const AMIS = ['ami-0', 'ami-1', 'ami-2', 'ami-3', 'ami-4', 'ami-5', 'ami-6', 'ami-7'];
const FLEET_STATES = ['submitted', 'active', 'modifying', 'deleted', 'deleted_running', 'failed'];
const SPOT_FLEET_STATES = ['submitted', 'active', 'modifying', 'cancelled', 'cancelled_running', 'failed'];
const FLEET_LIVE = new Set(['submitted', 'active', 'modifying']);
const SPOT_REQUEST_STATES = ['open', 'active', 'disabled', 'closed', 'cancelled', 'failed'];
const SPOT_REQUEST_LIVE = new Set(['open', 'active', 'disabled']);

interface TemplateSpec {
  images: (string | undefined)[];
  defaultIndex: number;
}

const templateArb = fc
  .array(fc.option(fc.constantFrom(...AMIS), { nil: undefined }), { minLength: 1, maxLength: 5 })
  .chain((images) =>
    fc.record({ images: fc.constant(images), defaultIndex: fc.nat({ max: images.length - 1 }) }),
  );

const refArb = fc.record({
  template: fc.nat({ max: 2 }),
  // A number past the template's versions is a reference that cannot be resolved.
  version: fc.oneof(fc.constantFrom('$Default', '$Latest'), fc.integer({ min: 1, max: 6 }).map(String)),
});

const fleetArb = fc.record({
  kind: fc.constantFrom('fleet' as const, 'spot-fleet' as const),
  type: fc.constantFrom('maintain', 'request', 'instant'),
  state: fc.nat({ max: 5 }),
  refs: fc.array(refArb, { maxLength: 2 }),
  overrides: fc.array(fc.constantFrom(...AMIS), { maxLength: 2 }),
});

const accountArb = fc.record({
  templates: fc.array(templateArb, { minLength: 1, maxLength: 3 }),
  newest: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  fleets: fc.array(fleetArb, { maxLength: 3 }),
  spot: fc.array(
    fc.record({ state: fc.constantFrom(...SPOT_REQUEST_STATES), ami: fc.constantFrom(...AMIS) }),
    {
      maxLength: 3,
    },
  ),
  parameters: fc.array(fc.constantFrom(...AMIS), { maxLength: 2 }),
});

type Account = typeof accountArb extends fc.Arbitrary<infer T> ? T : never;

function sourcesOf(a: Account): UsageSources {
  const versions: LaunchTemplateVersionRecord[] = [];
  const templates: LaunchTemplateRecord[] = [];
  a.templates.forEach((t: TemplateSpec, i) => {
    const latest = t.images.length;
    const record: LaunchTemplateRecord = {
      id: `lt-${i}`,
      name: `t${i}`,
      defaultVersion: t.defaultIndex + 1,
      latestVersion: latest,
    };
    if (a.newest !== undefined) record.newestVersionsCounted = a.newest;
    templates.push(record);
    t.images.forEach((imageId, v) => {
      const version: LaunchTemplateVersionRecord = {
        templateId: `lt-${i}`,
        templateName: `t${i}`,
        versionNumber: v + 1,
        isDefault: v === t.defaultIndex,
        isLatest: v + 1 === latest,
      };
      if (imageId !== undefined) version.imageId = imageId;
      versions.push(version);
    });
  });
  const fleets: FleetRecord[] = a.fleets.map((f, i) => ({
    id: `${f.kind}-${i}`,
    kind: f.kind,
    type: f.kind === 'spot-fleet' && f.type === 'instant' ? 'maintain' : f.type,
    state: (f.kind === 'fleet' ? FLEET_STATES : SPOT_FLEET_STATES)[f.state]!,
    launchTemplateConfigs: f.refs.map((r, j) => ({
      template: { templateId: `lt-${r.template}`, version: r.version },
      overrideImageIds: f.kind === 'fleet' && j === 0 ? f.overrides : [],
    })),
    launchSpecificationImageIds: f.kind === 'spot-fleet' ? f.overrides : [],
  }));
  const spotInstanceRequests: SpotInstanceRequestRecord[] = a.spot.map((s, i) => ({
    id: `sir-${i}`,
    state: s.state,
    type: 'persistent',
    imageId: s.ami,
  }));
  return {
    instances: [],
    launchTemplateVersions: versions,
    launchConfigurations: [],
    autoScalingGroups: [],
    launchTemplates: templates,
    fleets,
    spotInstanceRequests,
    imageParameters: a.parameters.map((ami, i) => ({ name: `/p/${i}`, value: ami })),
  };
}

/** The AMIs in use and whether some reference names a version that does not exist, from the rules. */
function oracle(a: Account): { used: Set<string>; unresolvable: boolean } {
  const used = new Set<string>();
  let unresolvable = false;
  a.templates.forEach((t) => {
    const latest = t.images.length;
    t.images.forEach((ami, v) => {
      const n = v + 1;
      const counted = a.newest === undefined || n > latest - a.newest || v === t.defaultIndex || n === latest;
      if (counted && ami !== undefined) used.add(ami);
    });
  });
  for (const f of a.fleets) {
    const type = f.kind === 'spot-fleet' && f.type === 'instant' ? 'maintain' : f.type;
    const state = (f.kind === 'fleet' ? FLEET_STATES : SPOT_FLEET_STATES)[f.state]!;
    if (!FLEET_LIVE.has(state) || type === 'instant') continue;
    for (const ami of f.overrides) if (f.kind === 'spot-fleet' || f.refs.length > 0) used.add(ami);
    for (const r of f.refs) {
      const t = a.templates[r.template];
      if (t === undefined) {
        unresolvable = true;
        continue;
      }
      const index =
        r.version === '$Default'
          ? t.defaultIndex
          : r.version === '$Latest'
            ? t.images.length - 1
            : Number(r.version) - 1;
      if (index >= t.images.length) unresolvable = true;
      else if (t.images[index] !== undefined) used.add(t.images[index]!);
    }
  }
  for (const s of a.spot) if (SPOT_REQUEST_LIVE.has(s.state)) used.add(s.ami);
  for (const p of a.parameters) used.add(p);
  return { used, unresolvable };
}

describe('usage signals: no AMI something uses is deleted', () => {
  it('holds for random templates, fleets, Spot requests and parameters in every state', () => {
    fc.assert(
      fc.property(accountArb, (account) => {
        const images = AMIS.map((id) => image(id));
        const plan = planCleanup({
          images,
          usage: collectUsage(sourcesOf(account)),
          snapshots: snapshotsOf(images),
          settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun: 100 },
          now: NOW,
          launchPermissions: new Map(images.map((i) => [i.id, { kind: 'read', permissions: [] }])),
        });
        const { used, unresolvable } = oracle(account);
        const deleted = new Set(plan.deletions.map((d) => d.image.id));
        for (const id of used) expect(deleted.has(id)).toBe(false);
        if (unresolvable) {
          expect(plan.refused).toBeDefined();
          expect(deleted.size).toBe(0);
        } else {
          expect(plan.refused).toBeUndefined();
          // Nothing else keeps these AMIs: every AMI not used is deleted, so the index adds no use either.
          expect([...deleted].sort()).toEqual(AMIS.filter((id) => !used.has(id)));
        }
      }),
      { numRuns: 500 },
    );
  });
});
