import { describe, expect, it } from '@jest/globals';
import { normaliseEvent, type Notification } from '../../../../shared/notify';
import { fixture } from '../../../helpers/notifier-fixtures';

function notified(event: ReturnType<typeof fixture>): Notification {
  const r = normaliseEvent(event);
  if (r.kind !== 'notify') throw new Error(`ignored: ${r.reason}`);
  return r.notification;
}

describe('the deletion notice', () => {
  it('lists each AMI with its next step and date, soonest first, and says how to keep one', () => {
    const n = notified(fixture('fleet-deletion-notice'));
    expect(n.severity).toBe('warning');
    expect(n.title).toBe('ec2-hygiene cleanup: 2 AMIs in eu-west-1 retire within 3 days');
    const lines = n.reason.split('\n');
    expect(lines[0]).toBe(
      'ami-0aa11bb22cc33dd44 (web-2026-10-01): deprecated (new launches warned) from 2026-11-24, unused since 2026-11-17',
    );
    expect(lines[1]).toBe(
      'ami-0bb22cc33dd44ee55 (api-2026-10-30): deregistered with its snapshots from 2026-11-25, unused since 2026-11-18',
    );
    expect(n.reason).toContain('To keep one, tag it AutoCleanupKeepUntil=<date>');
    expect(n.reason).toContain(
      'aws ec2 create-tags --region eu-west-1 --resources ami-0aa11bb22cc33dd44 --tags Key=AutoCleanupKeepUntil,Value=2026-12-23',
    );
    expect(n.facts).toContainEqual({ name: 'First step', value: 'ami-0aa11bb22cc33dd44 on 2026-11-24' });
  });

  it('the same AMIs at the same steps are one incident (a repeat is suppressed); a changed list is a new one', () => {
    const a = notified(fixture('fleet-deletion-notice'));
    const later = fixture('fleet-deletion-notice');
    (later.detail as { at: string }).at = '2026-11-23T09:00:00Z';
    expect(notified(later).incidentKey).toBe(a.incidentKey);
    const changed = fixture('fleet-deletion-notice');
    (changed.detail as { images: { on: string }[] }).images[0]!.on = '2026-11-26T03:00:00Z';
    expect(notified(changed).incidentKey).not.toBe(a.incidentKey);
  });

  it('an empty list sends nothing; malformed entries are dropped, the readable ones still listed', () => {
    const empty = fixture('fleet-deletion-notice');
    (empty.detail as { images: unknown[] }).images = [];
    expect(normaliseEvent(empty)).toEqual({ kind: 'ignore', reason: 'deletion notice lists no AMI' });
    const odd = fixture('fleet-deletion-notice');
    (odd.detail as { images: unknown[] }).images.push(
      null,
      { imageId: 'ami-x', step: 'explode', on: '2026-11-24' },
      { imageId: 42, step: 'deregister', on: '2026-11-24' },
    );
    const n = notified(odd);
    expect(n.title).toContain('2 AMIs');
    expect(n.reason).not.toContain('ami-x');
  });

  it('a long notice spells out twenty and counts the rest, including those the event left out', () => {
    const event = fixture('fleet-deletion-notice');
    const detail = event.detail as { images: unknown[]; omitted: number };
    detail.images = Array.from({ length: 25 }, (_, i) => ({
      imageId: `ami-${String(i).padStart(3, '0')}`,
      step: 'deregister',
      on: '2026-11-25T03:00:00Z',
    }));
    detail.omitted = 5;
    const n = notified(event);
    expect(n.title).toContain('30 AMIs');
    expect(n.reason).toContain('... and 10 more');
  });

  it('a dry run says nothing will be deleted', () => {
    const event = fixture('fleet-deletion-notice');
    (event.detail as { dryRun: boolean }).dryRun = true;
    expect(notified(event).title).toMatch(/\(dry run: nothing will be deleted\)$/);
  });
});

describe('a cleanup run summary that deleted AMIs', () => {
  it('is a message listing what is gone, with the snapshots, even when nothing failed', () => {
    const n = notified(fixture('fleet-run-summary-deleted'));
    expect(n.severity).toBe('info');
    expect(n.title).toBe('ec2-hygiene cleanup run: 2 AMIs deleted');
    expect(n.reason.split('\n')).toEqual([
      'ami-0aa11bb22cc33dd44 (web-2026-10-01): deregistered, with 2 snapshots snap-0a1, snap-0a2',
      'ami-0bb22cc33dd44ee55: deregistered, with 1 snapshot snap-0b1',
    ]);
  });
});
