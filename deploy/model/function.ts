/**
 * The WebSocket function (`$connect`, `$disconnect`, `$default`): what both deploy tools build and bundle.
 * Paths are relative to the repo root.
 */
export const FunctionModel = {
  /** Logical name (Serverless function key; CDK construct id is derived from it). */
  name: 'websocket',
  entry: 'src/runtimes/aws/handler.ts',
  handler: 'handler',
  // The current Node.js Lambda runtime (nodejs22.x reaches end of life in April 2027); the bundle is run
  // under Node 24 in test/runtimes/aws/node24-bundle.test.ts.
  runtime: 'nodejs24.x',
  architecture: 'arm64',
  /** More memory buys more CPU and network for the bounded-concurrency `@connections` fan-out. */
  memoryMb: 1024,
  /** API Gateway gives up on an integration after 29 s; a Lambda running longer would only waste money. */
  timeoutSeconds: 29,
  logRetentionDays: 14,
} as const;

export type FunctionSpec = {
  readonly name: string;
  readonly entry: string;
  readonly handler: string;
  readonly runtime: string;
  readonly architecture: 'arm64' | 'x86_64';
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
};

/** The Lambda behind the HTTP API's `POST /publish` (src/runtimes/aws/publish.ts). */
export const PublishFunctionModel: FunctionSpec = {
  ...FunctionModel,
  name: 'publish',
  entry: 'src/runtimes/aws/publish.ts',
  // An HTTP API gives up on a Lambda integration after 30 s; the fan-out is the same as a WebSocket publish.
  timeoutSeconds: 29,
};

/** The optional `$connect` REQUEST authorizer (src/runtimes/aws/authorizer.ts): verifies one token. */
export const AuthorizerFunctionModel: FunctionSpec = {
  ...FunctionModel,
  name: 'connectAuthorizer',
  entry: 'src/runtimes/aws/authorizer.ts',
  // Signature checks and an occasional JWKS fetch: little memory, and a client waits on it at connect.
  memoryMb: 256,
  timeoutSeconds: 10,
};

/**
 * Bundling, identical in both tools (CDK NodejsFunction and serverless-esbuild). The AWS SDK v3 is bundled
 * rather than taken from the runtime: the version that ran in the tests is the version that ships, and
 * tree-shaken SDK clients start no slower than the runtime's copy.
 */
export const BundlingModel = {
  minify: true,
  sourceMap: true,
  target: 'node24',
  format: 'cjs',
  /**
   * Prefer each package's ES module build (`module`) over its CommonJS one (`main`, esbuild's default first
   * choice on `platform: 'node'`): the AWS SDK clients ship both, and only the ES modules tree-shake. Counted
   * by `npm run bench` (bench/extras/bundle.ts): the handler bundle goes from 663 to 465 KiB with this alone.
   */
  mainFields: ['module', 'main'] as readonly string[],
  /** Nothing external: `@aws-sdk/*` included on purpose (see above). */
  externalModules: [] as readonly string[],
} as const;

/** Variables every deployed function gets besides the LambdaEnvironment ones. */
export const RuntimeEnvironment = {
  /** Stack traces point at the TypeScript sources (the bundle ships its source map). */
  NODE_OPTIONS: '--enable-source-maps',
} as const;
