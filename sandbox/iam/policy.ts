/** The IAM policy grammar as the stack writes it (after intrinsics are resolved). */
export type StringOrList = string | string[];

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: StringOrList;
  NotAction?: StringOrList;
  Resource?: StringOrList;
  NotResource?: StringOrList;
  Condition?: Record<string, Record<string, StringOrList | boolean>>;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export const list = (value: StringOrList | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export const statementsOf = (doc: PolicyDocument): PolicyStatement[] =>
  Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
