/**
 * CloudFormation intrinsics as they appear in the functions' roles: Fn::Sub, Ref, Fn::GetAtt,
 * Fn::Join, Fn::If (with the template's Conditions), for one account and region. Physical names
 * follow CloudFormation: a resource's own name property when set, otherwise
 * `<stack>-<LogicalId>` (CloudFormation adds a random suffix; the sandbox has no need of one).
 */
export interface StackContext {
  accountId: string;
  region: string;
  partition: string;
  stackName: string;
  resources: Record<string, unknown>;
  conditions: Record<string, unknown>;
}

interface ResourceShape {
  Type?: string;
  Properties?: Record<string, unknown>;
}

const PSEUDO: Record<string, (c: StackContext) => string> = {
  'AWS::AccountId': (c) => c.accountId,
  'AWS::Region': (c) => c.region,
  'AWS::Partition': (c) => c.partition,
  'AWS::StackName': (c) => c.stackName,
  'AWS::URLSuffix': () => 'amazonaws.com',
};

function physicalName(logicalId: string, c: StackContext): string {
  const resource = c.resources[logicalId] as ResourceShape | undefined;
  if (!resource) throw new Error(`Ref to ${logicalId}: no such resource in the stack`);
  const props = resource.Properties ?? {};
  const own = [props.TopicName, props.TableName, props.RoleName, props.AlarmName, props.Name].find(
    (v) => typeof v === 'string',
  );
  return typeof own === 'string' ? own : `${c.stackName}-${logicalId}`;
}

/** What `Ref` returns for each resource type the stack uses. */
function ref(name: string, c: StackContext): string {
  const pseudo = PSEUDO[name];
  if (pseudo) return pseudo(c);
  const type = (c.resources[name] as ResourceShape | undefined)?.Type;
  const physical = physicalName(name, c);
  switch (type) {
    case 'AWS::SNS::Topic':
      return `arn:${c.partition}:sns:${c.region}:${c.accountId}:${physical}`;
    default:
      return physical;
  }
}

function getAtt(logicalId: string, attribute: string, c: StackContext): string {
  const type = (c.resources[logicalId] as ResourceShape | undefined)?.Type;
  const physical = physicalName(logicalId, c);
  if (attribute === 'Arn') {
    switch (type) {
      case 'AWS::DynamoDB::Table':
        return `arn:${c.partition}:dynamodb:${c.region}:${c.accountId}:table/${physical}`;
      case 'AWS::IAM::Role':
        return `arn:${c.partition}:iam::${c.accountId}:role/${physical}`;
      case 'AWS::SNS::Topic':
        return `arn:${c.partition}:sns:${c.region}:${c.accountId}:${physical}`;
      case 'AWS::SQS::Queue':
        return `arn:${c.partition}:sqs:${c.region}:${c.accountId}:${physical}`;
    }
  }
  throw new Error(
    `Fn::GetAtt ${logicalId}.${attribute} (${type ?? 'unknown type'}) is not modelled by the sandbox`,
  );
}

function sub(template: string, vars: Record<string, unknown>, c: StackContext): string {
  return template.replace(/\$\{([^}!]+)\}/g, (_all, name: string) => {
    if (name in vars) return String(vars[name]);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return getAtt(name.slice(0, dot), name.slice(dot + 1), c);
    return ref(name, c);
  });
}

function condition(name: string, c: StackContext): boolean {
  const body = c.conditions[name];
  if (body === undefined) throw new Error(`Fn::If names an unknown condition ${name}`);
  return Boolean(evaluate(body, c));
}

function evaluate(node: unknown, c: StackContext): unknown {
  if (Array.isArray(node)) return node.map((n) => evaluate(n, c));
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref':
        return ref(String(arg), c);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        return getAtt(id!, attr!, c);
      }
      case 'Fn::Sub': {
        if (typeof arg === 'string') return sub(arg, {}, c);
        const [template, vars] = arg as [string, Record<string, unknown>];
        return sub(template, evaluate(vars, c) as Record<string, unknown>, c);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (evaluate(parts, c) as unknown[]).map(String).join(sep);
      }
      case 'Fn::If': {
        const [name, yes, no] = arg as [string, unknown, unknown];
        return evaluate(condition(name, c) ? yes : no, c);
      }
      case 'Fn::Equals': {
        const [a, b] = evaluate(arg, c) as unknown[];
        return a === b;
      }
      case 'Fn::Not':
        return !(evaluate(arg, c) as unknown[])[0];
      case 'Fn::And':
        return (evaluate(arg, c) as unknown[]).every(Boolean);
      case 'Fn::Or':
        return (evaluate(arg, c) as unknown[]).some(Boolean);
      case 'Condition':
        return condition(String(arg), c);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v, c)]));
}

/** A copy of `node` with every intrinsic replaced by its value. */
export function resolveIntrinsics(node: unknown, context: StackContext): unknown {
  return evaluate(node, context);
}
