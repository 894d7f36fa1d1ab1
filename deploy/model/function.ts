/**
 * The one Lambda function: what both deploy tools build and bundle. Paths are relative to the repo root.
 */
export const FunctionModel = {
  /** Logical name (Serverless function key; CDK construct id is derived from it). */
  name: 'websocket',
  entry: 'src/runtimes/aws/handler.ts',
  handler: 'handler',
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  /** More memory buys more CPU and network for the bounded-concurrency `@connections` fan-out. */
  memoryMb: 1024,
  /** API Gateway gives up on an integration after 29 s; a Lambda running longer would only waste money. */
  timeoutSeconds: 29,
  logRetentionDays: 14,
} as const;

/**
 * Bundling, identical in both tools (CDK NodejsFunction and serverless-esbuild). The AWS SDK v3 is bundled
 * rather than taken from the runtime: the version that ran in the tests is the version that ships, and
 * tree-shaken SDK clients start no slower than the runtime's copy.
 */
export const BundlingModel = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  format: 'cjs',
  /** Nothing external: `@aws-sdk/*` included on purpose (see above). */
  externalModules: [] as readonly string[],
} as const;

/** Variables every deployed function gets besides the LambdaEnvironment ones. */
export const RuntimeEnvironment = {
  /** Stack traces point at the TypeScript sources (the bundle ships its source map). */
  NODE_OPTIONS: '--enable-source-maps',
} as const;
