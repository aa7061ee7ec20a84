/**
 * The package-time check (functions/notifier/destination-check.cjs): a stack whose notifier would
 * reach nobody is refused before anything is deployed; one reachable destination is enough.
 */
import { describe, expect, it } from '@jest/globals';
// A plain CommonJS serverless plugin (serverless loads it without a TypeScript step).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Plugin = require('../../../../functions/notifier/destination-check.cjs') as {
  new (serverless: unknown): { hooks: Record<string, () => void> };
  destinationProblem(values: Record<string, string> | undefined): string | undefined;
};

function packageWith(notifierDestinations: Record<string, string> | undefined): () => void {
  const plugin = new Plugin({ service: { custom: { notifierDestinations } } });
  return plugin.hooks['before:package:initialize']!;
}

describe('notifier destination check at package time', () => {
  it('refuses the defaults (no webhook parameter, no email), naming the params to set', () => {
    expect(
      packageWith({ slackWebhookParameter: '', teamsWebhookParameter: '', notificationEmail: '' }),
    ).toThrow(
      'ec2-hygiene: the notifier would reach nobody: set at least one of --param="slackWebhookParameter=<SSM parameter name>", --param="teamsWebhookParameter=<SSM parameter name>" or --param="notificationEmail=<address>"',
    );
    expect(packageWith(undefined)).toThrow('the notifier would reach nobody');
    expect(packageWith({ slackWebhookParameter: '  ', notificationEmail: ' ' })).toThrow('reach nobody');
  });

  it.each([
    ['a Slack webhook parameter', { slackWebhookParameter: '/ec2-hygiene/prod/slack-webhook' }],
    ['a Teams webhook parameter', { teamsWebhookParameter: '/ec2-hygiene/prod/teams-webhook' }],
    ['an email address', { notificationEmail: 'ops@example.com' }],
  ])('accepts %s alone', (_what, values) => {
    expect(packageWith(values)).not.toThrow();
  });

  it('refuses an email setting that is not an address, showing the value', () => {
    expect(Plugin.destinationProblem({ notificationEmail: 'ops at example' })).toBe(
      'notificationEmail="ops at example" is not an email address (expected e.g. ops@example.com)',
    );
  });
});
