/**
 * Every shell command of README.md and docs/*.md (fenced `sh` blocks, test/docs/shell-blocks.ts) and what
 * runs it. test/docs/inventory.test.ts fails when a doc gains a command that is not listed here, when an
 * entry no longer matches a doc, and when the file named in `ranBy` does not contain the command (or its
 * `as` form) verbatim.
 *
 * - `ranBy`: a test file or CI step that runs it. `as`: the text that file contains when it runs an
 *   equivalent form (e.g. .ci/run adds flags to `npm ci`); `note`: what differs from running it by hand.
 * - `needsAws`: needs a real AWS account (nothing here can reach AWS), with the reason.
 * - `notRun`: deliberately not run by a test or CI, with the reason.
 */
export type Coverage =
  | { ranBy: string; as?: string; note?: string }
  | { needsAws: string }
  | { notRun: string; see?: string };

const ROOT_DOCS_TEST = 'test/docs/doc-commands.test.ts';
const SERVERLESS_DOCS_TEST = 'deploy/serverless/test/doc-commands.test.ts';
const CI = '.ci/run';
const PACKAGES = 'scripts/verify-packages.sh';
const fromRegistry =
  'installs the published package from the npm registry; scripts/verify-packages.sh (run by .ci/run) installs ' +
  'the tarballs `npm pack` makes of the same packages, the same way';

const deployNeedsAws = 'deploys a CloudFormation stack: needs AWS credentials and an account';
const deployedUrl = 'calls a deployed stage (an execute-api URL of your account)';
const benchmark =
  'a benchmark: minutes of full load on an otherwise idle machine, run by hand when measuring (docs/benchmarks.md); ' +
  'the harness itself is run by test/bench/harness.test.ts';

export const CommandInventory: Record<string, Record<string, Coverage>> = {
  'README.md': {
    'npm install && npm start': {
      ranBy: ROOT_DOCS_TEST,
      note: "`npm start` as written (PORT set to a free port); the install is .ci/run's `npm ci`",
    },
    'npm test': { ranBy: CI },
    'npx wscat -c ws://localhost:3001': {
      ranBy: ROOT_DOCS_TEST,
      note: "the transcript's frames are sent and its answers checked with `ws` (wscat is not a dependency; npx would download it)",
    },
    'npm run demo': { ranBy: ROOT_DOCS_TEST },
    'npm run demo -- --url ws://localhost:3001': { ranBy: ROOT_DOCS_TEST },
    'npm install topicsocket': { notRun: fromRegistry, see: PACKAGES },
    'npm install @topicsocket/client': { notRun: fromRegistry, see: PACKAGES },
    'npx topicsocket dev': {
      ranBy: 'scripts/consumer/smoke.mjs',
      as: "'topicsocket', 'dev'",
      note: 'from a fresh consumer project with the packed tarballs installed, on a free port',
    },
  },
  'docs/benchmarks.md': {
    'npm run bench': { notRun: benchmark },
    'npm run bench -- --quick': { notRun: benchmark },
    'npm run bench -- --only=fanout,latency --servers=raw-ws,topicsocket --repeat=3': { notRun: benchmark },
    'BENCH_CPU_PROF=/tmp/prof npm run bench -- --only=fanout': { notRun: benchmark },
    'node --import tsx bench/profile-summary.ts /tmp/prof/topicsocket/<file>.cpuprofile': {
      notRun: 'reads the profiles a BENCH_CPU_PROF run wrote (`<file>` is a placeholder)',
    },
    'BENCH_HEAP_DIR=/tmp/heap npm run bench -- --only=idle': { notRun: benchmark },
    'BENCH_MEMORY_DEBUG=1 npm run bench -- --only=idle': { notRun: benchmark },
    'npm run bench -- --only aws-fanout --quick': { notRun: benchmark },
    'npm run bench -- --only aws-fanout --name aws-fanout-full': { notRun: benchmark },
    'npm run bench -- --only aws-fanout --full --name aws-fanout-full': { notRun: benchmark },
    'npm run bench -- --only aws-fanout --aws-baseline 79b7aac --name aws-fanout-full': { notRun: benchmark },
  },
  'docs/client.md': {
    'npm install @topicsocket/client': { notRun: fromRegistry, see: PACKAGES },
  },
  'docs/console.md': {
    'curl -s http://localhost:3001/stats': { ranBy: ROOT_DOCS_TEST },
    "curl -s 'http://localhost:3001/admin/topics?limit=10'": { ranBy: ROOT_DOCS_TEST },
    'curl -s http://localhost:3001/admin/connections': { ranBy: ROOT_DOCS_TEST },
    "curl -s 'http://localhost:3001/admin/history?topic=general&limit=5'": { ranBy: ROOT_DOCS_TEST },
  },
  'docs/deploy.md': {
    'awscurl --service execute-api --region eu-west-1 -X POST -H \'content-type: application/json\' -d \'{"topic":"news","data":{"headline":"hello"}}\' https://abc123.execute-api.eu-west-1.amazonaws.com/publish':
      { needsAws: `${deployedUrl}, signed with your IAM credentials` },
    'aws secretsmanager create-secret --name topicsocket/prod/auth --secret-string "{\\"TOPICSOCKET_JWT_SECRET\\":\\"$(openssl rand -hex 32)\\",\\"TOPICSOCKET_API_KEYS\\":\\"$(openssl rand -hex 24)\\"}"':
      { needsAws: 'creates a secret in your account' },
    'TOPICSOCKET_AUTH_SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:topicsocket/prod/auth-AbCdEf TOPICSOCKET_STAGE=prod npm run deploy':
      { needsAws: deployNeedsAws },
    'TOPICSOCKET_PUBLISH_AUTH=keys TOPICSOCKET_AUTH_SECRET_ARN=arn:aws:secretsmanager:…:secret:topicsocket/prod/auth-AbCdEf npm run deploy':
      { needsAws: deployNeedsAws },
    'aws iam create-role --role-name apigateway-cloudwatch-logs --assume-role-policy-document \'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}\'':
      { needsAws: 'creates the account-level API Gateway logging role' },
    'aws iam attach-role-policy --role-name apigateway-cloudwatch-logs --policy-arn arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs':
      { needsAws: 'changes IAM in your account' },
    'aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=arn:aws:iam::123456789012:role/apigateway-cloudwatch-logs':
      { needsAws: "changes your account's API Gateway settings" },
    'curl -X POST -H "x-api-key: $KEY" -H \'content-type: application/json\' -d \'{"topic":"news","data":{"headline":"hello"}}\' https://abc123.execute-api.eu-west-1.amazonaws.com/publish':
      { needsAws: deployedUrl },
    'TOPICSOCKET_CONNECT_AUTH=authorizer TOPICSOCKET_JWKS_URL=https://… TOPICSOCKET_JWT_ISSUER=https://… npm run deploy':
      {
        needsAws: deployNeedsAws,
      },
    'npm ci': { ranBy: CI, as: 'npm ci --no-audit --no-fund' },
    'npm run synth': { ranBy: CI },
    'npm exec --workspace deploy/cdk -- cdk bootstrap': {
      needsAws: 'creates the CDK asset bucket in your account and region',
    },
    'TOPICSOCKET_STAGE=prod TOPICSOCKET_JWKS_URL=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_XXXX/.well-known/jwks.json TOPICSOCKET_JWT_ISSUER=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_XXXX npm run deploy':
      { needsAws: deployNeedsAws },
    'npm ci && npm ci --prefix deploy/serverless': {
      ranBy: CI,
      as: 'npm ci --prefix deploy/serverless --no-audit --no-fund',
      note: 'both installs, with --no-audit --no-fund',
    },
    'cd deploy/serverless': { ranBy: SERVERLESS_DOCS_TEST, as: 'cwd: serviceDir' },
    'npm run package': { ranBy: SERVERLESS_DOCS_TEST },
    'TOPICSOCKET_JWKS_URL=https://… TOPICSOCKET_JWT_ISSUER=https://… npx serverless deploy --stage prod --region eu-west-1':
      { needsAws: deployNeedsAws },
    'cd deploy/serverless && TOPICSOCKET_AUTH=open npm run offline': {
      ranBy: SERVERLESS_DOCS_TEST,
      note: 'PORT, HTTP_PORT and LAMBDA_PORT set to free ports',
    },
    'npm run demo -- --url ws://localhost:3001': {
      ranBy: SERVERLESS_DOCS_TEST,
      note: 'against the `npm run offline` above, on its port',
    },
    'TOPICSOCKET_MANAGEMENT_ENDPOINT=https://ws.example.com npm run deploy': { needsAws: deployNeedsAws },
    'npx serverless deploy --stage prod --param="managementEndpoint=https://ws.example.com"': {
      needsAws: deployNeedsAws,
    },
    'TOPICSOCKET_STAGE=prod npm run destroy --workspace deploy/cdk': {
      needsAws: 'deletes a deployed stack from your account',
    },
    'cd deploy/serverless && npx serverless remove --stage prod': {
      needsAws: 'deletes a deployed stack from your account',
    },
  },
  'docs/local-runtime.md': {
    'npm start': { ranBy: ROOT_DOCS_TEST },
    'npx topicsocket dev --port 8080 --host 0.0.0.0': {
      ranBy: ROOT_DOCS_TEST,
      note: 'on a free port instead of 8080, and 127.0.0.1 instead of 0.0.0.0 (tests stay on loopback)',
    },
    'npm run demo': { ranBy: ROOT_DOCS_TEST },
    'npm run demo -- --url ws://localhost:3001': { ranBy: ROOT_DOCS_TEST },
    'npx topicsocket dynamodb-local --port 8000': { ranBy: ROOT_DOCS_TEST, note: 'on a free port' },
    'npx topicsocket dev --store dynamodb --dynamodb-endpoint http://127.0.0.1:8000': {
      ranBy: ROOT_DOCS_TEST,
      note: 'against the dynamodb-local above',
    },
    "npx topicsocket emulate --handler ./handler.js --route-response '$default'": {
      ranBy: 'test/runtimes/emulator/serverless-and-reload.test.ts',
      as: "['--handler', file, '--route-response', '$default']",
      note: 'in process (runCli), on a free port, with a handler written to a temporary folder',
    },
    "npx topicsocket emulate --route 'sendmessage=./chat.ts#send' --route '$connect=./chat.ts#connect'": {
      ranBy: 'test/runtimes/emulator/third-party-handlers.test.ts',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the test's template literal, quoted verbatim
      as: '`sendmessage=${chat}#send`',
      note: 'in process, with the test handlers (no $connect route there: connections are accepted)',
    },
    'npx topicsocket emulate --serverless ./serverless.yml': {
      ranBy: 'test/runtimes/emulator/serverless-and-reload.test.ts',
      as: "['--serverless', service]",
      note: 'in process, against the sample service in test/runtimes/emulator/handlers/service',
    },
    'curl -X PUT http://127.0.0.1:3001/@emulator/faults -d \'{"goneShare":0.1,"latencyMs":50}\'': {
      ranBy: 'test/runtimes/emulator/faults.test.ts',
      as: "fetch(url, { method: 'PUT', body: JSON.stringify(body) })",
      note: 'with fetch, on the free port of the emulator under test, and other settings',
    },
  },
  'docs/reliability.md': {
    'npm run soak': {
      notRun: 'the long soak: minutes of load, run by hand when measuring (docs/reliability.md)',
    },
    'npm run soak -- --short': {
      ranBy: 'test/soak/soak.test.ts',
      as: 'short',
      note: 'the same scenarios, short, in npm test',
    },
    'npm run soak -- --only=connections,throttle': { notRun: 'a part of the long soak, run by hand' },
    'npx vitest run test/soak': { ranBy: CI, as: 'npm test', note: 'test/soak is part of npm test' },
  },
  'docs/security.md': {
    'TOPICSOCKET_API_KEY=... topicsocket publish chat/lobby \'{"text":"hi"}\' [--url http://127.0.0.1:3001] [--idempotency-key K]':
      {
        notRun:
          'a usage synopsis (`...` and [optional] parts), not a command; its concrete forms run in test/security/cli.test.ts',
        see: 'test/security/cli.test.ts',
      },
    'TOPICSOCKET_TOKEN=...   topicsocket subscribe chat/lobby [--url ws://127.0.0.1:3001]': {
      notRun: 'a usage synopsis, not a command; its concrete forms run in test/security/cli.test.ts',
      see: 'test/security/cli.test.ts',
    },
  },
};
