/**
 * The CDK app. Stage, account and region come from the environment:
 *   TOPICSOCKET_STAGE (default "dev"), TOPICSOCKET_MANAGEMENT_ENDPOINT (custom domains only), the auth
 *   variables (deploy/model/auth.ts), TOPICSOCKET_PUBLISH_AUTH (`iam`/`keys`), TOPICSOCKET_CONNECT_AUTH
 *   (`function`/`authorizer`),
 *   TOPICSOCKET_AUTH_SECRET_ARN / TOPICSOCKET_AUTH_PARAMETER_ARN (+ TOPICSOCKET_AUTH_SECRET_KMS_KEY_ARN): where
 *   the HS256 secret and API keys live (never TOPICSOCKET_JWT_SECRET / TOPICSOCKET_API_KEYS: refused),
 *   TOPICSOCKET_EXISTING_TABLE (use an existing table, e.g. a retained prod one),
 *   TOPICSOCKET_WEBSOCKET_ACCESS_LOGS (`on`/`off`), TOPICSOCKET_ALARM_TOPIC_ARN (SNS topic for the alarms),
 *   TOPICSOCKET_ACCOUNT / TOPICSOCKET_REGION (fixed dummies for offline synth), else the CLI's
 *   CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION from your credentials.
 */
import { App } from 'aws-cdk-lib';
import { LambdaEnvironment } from '../../../src/core/config-env.ts';
import {
  AlarmTopicVariable,
  authSecretModel,
  authSettings,
  ConnectAuthVariable,
  checkHooksModule,
  connectAuthMode,
  ExistingTableVariable,
  hooksFileFromEnv,
  PublishAuthVariable,
  publishAuthMode,
  resourceName,
  stackModel,
  WebSocketAccessLogsVariable,
  webSocketAccessLogMode,
} from '../../model/index.ts';
import { TopicsocketStack } from '../lib/topicsocket-stack.ts';

const model = stackModel({
  stage: process.env.TOPICSOCKET_STAGE ?? 'dev',
  managementEndpoint: process.env[LambdaEnvironment.managementEndpoint],
  // TOPICSOCKET_AUTH, TOPICSOCKET_JWKS_URL, ...: passed to the function under the same names.
  auth: authSettings(process.env),
  // `iam` (default) or `keys`: how POST /publish callers authenticate.
  publishAuth: publishAuthMode(process.env[PublishAuthVariable]),
  // `function` (default) or `authorizer`: a REQUEST Lambda authorizer on $connect.
  connectAuth: connectAuthMode(process.env[ConnectAuthVariable]),
  authSecret: authSecretModel(process.env),
  tool: 'cdk',
  existingTableName: process.env[ExistingTableVariable],
  webSocketAccessLogs: webSocketAccessLogMode(process.env[WebSocketAccessLogsVariable]),
  alarmTopicArn: process.env[AlarmTopicVariable],
  // TOPICSOCKET_HOOKS: the server hooks module bundled into the functions (docs/hooks.md).
  hooksFile: hooksFileFromEnv(process.env),
});
if (model.hooks.file) {
  // A module that does not load stops synth here, with its file, line and error.
  try {
    console.error(`hooks: ${await checkHooksModule(model.hooks.file)}`);
  } catch (error) {
    console.error(
      `the hooks module does not load: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
}
const app = new App();
new TopicsocketStack(app, resourceName(model.tool, model.stage), {
  model,
  env: {
    account: process.env.TOPICSOCKET_ACCOUNT ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.TOPICSOCKET_REGION ?? process.env.CDK_DEFAULT_REGION,
  },
  description: `topicsocket WebSocket pub/sub (${model.stage})`,
});
