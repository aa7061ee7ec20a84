/**
 * A serverless plugin that refuses to package (or deploy) a notifier nobody would hear: with no
 * Slack or Teams webhook parameter and no notificationEmail, every failure would go to a topic
 * without subscribers. CloudFormation conditions cannot stop an offline `serverless package`, so the
 * check runs here, on the params serverless.yml resolved into custom.notifierDestinations. What can
 * only be known at run time (a parameter not stored, an email not confirmed) fails the first
 * invocation instead, naming it.
 */
'use strict';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The problem with these settings, or undefined when at least one destination can reach someone. */
function destinationProblem(values) {
  const v = values || {};
  const text = (key) => (typeof v[key] === 'string' ? v[key].trim() : '');
  const email = text('notificationEmail');
  if (email && !EMAIL.test(email)) {
    return `notificationEmail=${JSON.stringify(email)} is not an email address (expected e.g. ops@example.com)`;
  }
  if (text('slackWebhookParameter') || text('teamsWebhookParameter') || email) return undefined;
  return (
    'the notifier would reach nobody: set at least one of --param="slackWebhookParameter=<SSM parameter name>", ' +
    '--param="teamsWebhookParameter=<SSM parameter name>" or --param="notificationEmail=<address>" ' +
    '(see docs/notifier.md, "Destinations")'
  );
}

class NotifierDestinationCheck {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:initialize': () => this.check() };
  }

  check() {
    const custom = this.serverless.service.custom || {};
    const problem = destinationProblem(custom.notifierDestinations);
    if (problem === undefined) return;
    const ServerlessError = this.serverless.classes && this.serverless.classes.Error;
    const message = `ec2-hygiene: ${problem}`;
    throw ServerlessError ? new ServerlessError(message, 'NOTIFIER_NO_DESTINATION') : new Error(message);
  }
}

module.exports = NotifierDestinationCheck;
module.exports.destinationProblem = destinationProblem;
