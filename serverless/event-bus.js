/**
 * The event bus the functions publish their run summaries to, as an IAM Resource. `eventBusName`
 * may be a bus name or a bus ARN (docs/tagger.md, "Settings"): a name becomes this account's bus ARN, an ARN
 * is used as it is (a plain `event-bus/${param}` would have built `event-bus/arn:aws:events:…`,
 * which denies every PutEvents).
 */
module.exports.resource = async ({ resolveVariable }) => {
  const value = String(await resolveVariable("param:eventBusName, 'default'")).trim();
  if (value.startsWith('arn:')) {
    if (!/^arn:[a-z-]+:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]+$/.test(value)) {
      throw new Error(
        `eventBusName="${value}" is not an event bus ARN: expected arn:aws:events:<region>:<account>:event-bus/<name>, or a bus name`,
      );
    }
    return value;
  }
  if (!/^[A-Za-z0-9._\-/]{1,256}$/.test(value)) {
    throw new Error(
      `eventBusName="${value}" is not an event bus name: expected letters, digits and . _ - /, or a bus ARN`,
    );
  }
  return { 'Fn::Sub': `arn:\${AWS::Partition}:events:*:\${AWS::AccountId}:event-bus/${value}` };
};
