import { describe, expect, it } from '@jest/globals';
import type { InstanceRecord, UsageSources } from '../../shared/domain';
import { collectUsage, imageIdsReferencedBySources } from '../../shared/usage';

// The index is built by sorting and dropping equal neighbours, with one slice per AMI: these pin
// what a caller sees of it (the tagger's reasons, cleanup's refusals) whatever the layout inside.
function sources(instances: InstanceRecord[]): UsageSources {
  return {
    instances,
    launchTemplateVersions: [],
    launchConfigurations: [{ name: 'lc-web', imageId: 'ami-b' }],
    autoScalingGroups: [],
  };
}

const instances: InstanceRecord[] = [
  { id: 'i-3', imageId: 'ami-b', state: 'running' },
  { id: 'i-1', imageId: 'ami-a', state: 'stopped' },
  { id: 'i-2', imageId: 'ami-a', state: 'running' },
  // The same instance twice, as when a page is read twice: one reference.
  { id: 'i-1', imageId: 'ami-a', state: 'stopped' },
];

describe('usage index', () => {
  it('lists each reference once, grouped per AMI and sorted by kind and resource', () => {
    const usage = collectUsage(sources(instances));
    expect(usage.refsFor('ami-a')).toEqual([
      { kind: 'instance', resourceId: 'i-1', detail: '(stopped)', imageId: 'ami-a' },
      { kind: 'instance', resourceId: 'i-2', detail: '(running)', imageId: 'ami-a' },
    ]);
    expect(usage.refsFor('ami-b')).toEqual([
      { kind: 'instance', resourceId: 'i-3', detail: '(running)', imageId: 'ami-b' },
      { kind: 'launch-configuration', resourceId: 'lc-web', detail: '', imageId: 'ami-b' },
    ]);
    expect(usage.refs.map((r) => `${r.imageId} ${r.resourceId}`)).toEqual([
      'ami-a i-1',
      'ami-a i-2',
      'ami-b i-3',
      'ami-b lc-web',
    ]);
    expect(usage.refsFor('ami-unused')).toEqual([]);
  });

  it('keeps the key order reports print (kind, resource, detail, image)', () => {
    const [first] = collectUsage(sources(instances)).refs;
    expect(JSON.stringify(first)).toBe(
      '{"kind":"instance","resourceId":"i-1","detail":"(stopped)","imageId":"ami-a"}',
    );
  });

  it('hands out copies: a caller changing its list does not change the index', () => {
    const usage = collectUsage(sources(instances));
    usage.refsFor('ami-a').pop();
    expect(usage.refsFor('ami-a')).toHaveLength(2);
  });

  it('names the same AMIs for the adapter as the index counts as in use', () => {
    const s = sources(instances);
    expect(imageIdsReferencedBySources(s)).toEqual([...collectUsage(s).inUseImageIds].sort());
    expect(imageIdsReferencedBySources(s)).toEqual(['ami-a', 'ami-b']);
  });
});
