/**
 * Names both deploy tools give what they create. Each tool has its own stack and its own table
 * (`topicsocket-cdk-prod`, `topicsocket-sls-prod`): a deploy with one tool after the other creates a second
 * stack instead of failing on "Table already exists", and a destroy with one tool never touches the other's.
 */
export const ServiceName = 'topicsocket';

export const DeployTools = ['cdk', 'serverless'] as const;
export type DeployTool = (typeof DeployTools)[number];

/** The tool's tag in every name. */
export const ToolTag: Readonly<Record<DeployTool, string>> = { cdk: 'cdk', serverless: 'sls' };

/** The CloudFormation stack name (and, for the table, its name): `topicsocket-{tool}-{stage}`. */
export function resourceName(tool: DeployTool, stage: string): string {
  return `${ServiceName}-${ToolTag[tool]}-${stage}`;
}

/**
 * Deploy time: the name of an existing table to use instead of creating one, e.g. the `prod` table a
 * destroyed stack retained (docs/deploy.md, "Re-creating prod"). CDK only; with the Serverless Framework
 * the retained table is imported into the new stack with a CloudFormation IMPORT change set.
 */
export const ExistingTableVariable = 'TOPICSOCKET_EXISTING_TABLE';
