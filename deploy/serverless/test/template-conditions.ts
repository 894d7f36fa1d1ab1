/**
 * The packaged template's conditions are on deploy-time settings the framework has already resolved
 * (`{"Fn::Equals": ["keys", "keys"]}`): evaluate them, and a policy's `Fn::If` statements, as CloudFormation
 * would.
 */
type Condition = { 'Fn::Equals'?: unknown[]; 'Fn::Not'?: [{ 'Fn::Equals': unknown[] }] };

export interface ConditionalTemplate {
  Conditions?: Record<string, Condition>;
}

export function holds(template: ConditionalTemplate, id: string): boolean {
  const condition = template.Conditions?.[id];
  if (!condition) throw new Error(`no condition ${id}`);
  if (condition['Fn::Equals']) return condition['Fn::Equals'][0] === condition['Fn::Equals'][1];
  const [left, right] = condition['Fn::Not']![0]['Fn::Equals'];
  return left !== right;
}

/** A list item with `Fn::If` resolved: zero items (`AWS::NoValue`) or one. */
export function resolveItem(template: ConditionalTemplate, value: unknown): unknown[] {
  if (value && typeof value === 'object' && 'Fn::If' in value) {
    const [condition, yes, no] = (value as { 'Fn::If': [string, unknown, unknown] })['Fn::If'];
    return resolveItem(template, holds(template, condition) ? yes : no);
  }
  if (value && typeof value === 'object' && (value as { Ref?: string }).Ref === 'AWS::NoValue') return [];
  return [value];
}
