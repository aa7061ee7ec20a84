import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  SLACK_LIMITS,
  SNS_LIMITS,
  escapeMarkdown,
  escapeSlack,
  formatSlack,
  formatSns,
  formatTeams,
  normaliseEvent,
  type Notification,
} from '../../../shared/notify';
import { fixture } from '../../helpers/notifier-fixtures';

function notification(name: string): Notification {
  const r = normaliseEvent(fixture(name));
  if (r.kind !== 'notify') throw new Error(`${name} ignored`);
  return r.notification;
}

const base = notification('autoscaling-launch-unsuccessful');

/** Every text object anywhere in a Slack payload. */
function slackTexts(
  value: unknown,
  out: { type: string; text: string }[] = [],
): { type: string; text: string }[] {
  if (Array.isArray(value)) value.forEach((v) => slackTexts(v, out));
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ((o.type === 'plain_text' || o.type === 'mrkdwn') && typeof o.text === 'string') {
      out.push({ type: o.type, text: o.text });
    }
    Object.values(o).forEach((v) => slackTexts(v, out));
  }
  return out;
}

function expectWithinSlackLimits(payload: ReturnType<typeof formatSlack>): void {
  expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(payload.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  for (const block of payload.blocks as {
    type: string;
    text?: { text: string };
    fields?: { text: string }[];
  }[]) {
    if (block.type === 'header') expect(block.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    if (block.type === 'section' && block.text) {
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    if (block.fields) {
      expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
  }
}

describe('Slack', () => {
  it('sends a header, the reason, the facts, a console button and a plain-text fallback', () => {
    const p = formatSlack(base);
    expect(p.text).toBe(
      "[CRITICAL] Auto Scaling group web-asg could not launch an instance: The image id '[ami-0123456789abcdef0]' does not exist. Launching EC2 instance failed. (web-asg, account 123456789012, eu-west-1)",
    );
    expect(p.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
    expect(JSON.stringify(p.blocks[4])).toContain(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#AutoScalingGroupDetails:id=web-asg;view=activity',
    );
    expectWithinSlackLimits(p);
  });

  it('shows the repeat count when an incident is sent again after its window', () => {
    const p = formatSlack({ ...base, occurrences: 4 });
    expect(JSON.stringify(p)).toContain('Seen 4 times since the last message about this incident');
  });

  it('a resource named <!channel> or <@U123> pings nobody: escaped, and only in plain_text', () => {
    const p = formatSlack(notification('hostile-asg-name'));
    const json = JSON.stringify(p);
    for (const ping of ['<!channel>', '<!here>', '<@U123ABC>', '<https://evil.example|']) {
      expect(json).not.toContain(ping);
    }
    expect(json).toContain('&lt;!channel&gt;');
    // mrkdwn is the only text type Slack parses for mentions and formatting; event text never goes there.
    expect(slackTexts(p).filter((t) => t.type === 'mrkdwn')).toEqual([]);
    expect(p.text).not.toMatch(/[<>]/);
  });

  it('cuts very long text with an ellipsis and stays within every limit', () => {
    const p = formatSlack(notification('hostile-asg-name'));
    const reason = (p.blocks[1] as { text: { text: string } }).text.text;
    expect(reason.length).toBeLessThanOrEqual(3000);
    expect(reason.endsWith('…')).toBe(true);
    expectWithinSlackLimits(p);
  });

  it('never leaves half an escape at a cut', () => {
    const p = formatSlack({ ...base, reason: 'a'.repeat(2998) + '<<<<' });
    const reason = (p.blocks[1] as { text: { text: string } }).text.text;
    expect(reason).toMatch(/a…$/);
  });

  it('holds every limit, and escapes every < > &, for any text at all', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 6000, unit: 'binary' }),
        fc.string({ maxLength: 400, unit: 'binary' }),
        fc.array(fc.record({ name: fc.string(), value: fc.string({ maxLength: 3000 }) }), { maxLength: 20 }),
        (reason, resource, facts) => {
          const p = formatSlack({ ...base, title: resource, reason, resource, facts });
          expectWithinSlackLimits(p);
          for (const t of slackTexts(p)) expect(t.text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('escapeSlack escapes exactly the three control characters', () => {
    expect(escapeSlack('a & <b> *c*')).toBe('a &amp; &lt;b&gt; *c*');
  });
});

describe('Teams', () => {
  it('is a workflow message with one Adaptive Card and an Open URL action', () => {
    const p = formatTeams(base) as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; version: string; body: unknown[]; actions: { url: string }[] };
      }[];
    };
    expect(p.type).toBe('message');
    expect(p.attachments).toHaveLength(1);
    const a = p.attachments[0]!;
    expect(a.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(a.content.type).toBe('AdaptiveCard');
    expect(a.content.actions[0]!.url).toContain('AutoScalingGroupDetails:id=web-asg');
    expect(JSON.stringify(a.content.body)).toContain('web-asg');
  });

  it('escapes markdown so event text cannot add links, emphasis, headings or lists', () => {
    expect(escapeMarkdown('*bold* _it_ [x](http://e) # h\n- item\n1. one <at>Bob</at> `c`')).toBe(
      '\\*bold\\* \\_it\\_ \\[x\\](http://e) \\# h\n\\- item\n1\\. one \\<at\\>Bob\\</at\\> \\`c\\`',
    );
    const card = formatTeams(notification('hostile-asg-name')) as {
      attachments: { content: { body: unknown } }[];
    };
    const body = JSON.stringify(card.attachments[0]!.content.body);
    expect(body).not.toContain('[click](');
    expect(body).not.toContain(' *urgent*');
    expect(body).toContain('\\\\*urgent\\\\*');
  });

  it('keeps ids readable (no escaping of - or . inside words)', () => {
    expect(escapeMarkdown('i-0abc.def')).toBe('i-0abc.def');
  });

  it('stays far below the 28 KB webhook limit even for huge input', () => {
    const p = formatTeams({
      ...notification('hostile-asg-name'),
      facts: Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(5000) })),
    });
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(28_000);
  });
});

describe('Teams card size against spoofed events', () => {
  it('a spoofed event with a huge resource name: no 60 KB console link, the card stays well under 28 KB', () => {
    const event = fixture('autoscaling-launch-unsuccessful');
    (event.detail as Record<string, unknown>).AutoScalingGroupName = 'g'.repeat(60_000);
    const r = normaliseEvent(event);
    if (r.kind !== 'notify') throw new Error('ignored');
    expect(r.notification.consoleUrl!.length).toBeGreaterThan(60_000);
    const json = JSON.stringify(formatTeams(r.notification));
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(20_000);
    expect(json).not.toContain('Action.OpenUrl');
  });

  it('text that escaping multiplies (backslashes, markdown, 4-byte characters) still fits', () => {
    const heavy = '\\*_🔥'.repeat(2000);
    const p = formatTeams({
      ...base,
      title: heavy,
      reason: heavy,
      resource: heavy,
      facts: Array.from({ length: 12 }, (_, i) => ({ name: heavy, value: `${i}${heavy}` })),
    });
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(20_000);
    // Still says what it is about.
    expect(JSON.stringify(p)).toContain('CRITICAL');
  });

  it('a normal console link is kept', () => {
    const json = JSON.stringify(formatTeams(base));
    expect(json).toContain('AutoScalingGroupDetails:id=web-asg');
  });
});

describe('Slack fallback text', () => {
  it('is sent as plain text: mrkdwn off, so *bold* or ~strike~ from an event formats nothing', () => {
    const p = formatSlack({ ...base, reason: '*urgent* ~old~ _x_ <!here>' });
    expect(p.mrkdwn).toBe(false);
    expect(p.text).toContain('*urgent* ~old~ _x_ &lt;!here&gt;');
  });
});

describe('SNS (email)', () => {
  it('has a short ASCII subject and a readable body with the link and the incident', () => {
    const m = formatSns(base);
    expect(m.subject).toBe('[CRITICAL] Auto Scaling group web-asg could not launch an instance');
    expect(m.message).toContain("The image id '[ami-0123456789abcdef0]' does not exist.");
    expect(m.message).toContain('Resource:    web-asg');
    expect(m.message).toContain(
      'Console: https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#AutoScalingGroupDetails:id=web-asg;view=activity',
    );
    expect(m.message).toContain('Incident: 123456789012/eu-west-1/autoscaling-launch/web-asg');
  });

  it('the subject is under 100 characters, printable ASCII, one line, for any title', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500, unit: 'binary' }), (title) => {
        const { subject } = formatSns({ ...base, title });
        expect(subject.length).toBeLessThanOrEqual(SNS_LIMITS.subject);
        expect(subject.length).toBeGreaterThan(0);
        expect(subject).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
      }),
      { numRuns: 300 },
    );
  });

  it('a long title is cut with an ASCII ellipsis; accents are kept as their letters', () => {
    const { subject } = formatSns({ ...base, title: `Sauvegarde échouée ${'x'.repeat(200)}` });
    expect(subject.startsWith('[CRITICAL] Sauvegarde echouee x')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject.length).toBe(99);
  });

  it('the body stays under 256 KB even for an enormous reason', () => {
    const { message } = formatSns({ ...base, reason: '€'.repeat(200_000) });
    expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(SNS_LIMITS.bodyBytes);
    expect(message).toContain('…');
  });
});
