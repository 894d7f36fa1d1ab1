/**
 * The CDK app. Stage, account and region come from the environment:
 *   TOPICSOCKET_STAGE (default "dev"), TOPICSOCKET_MANAGEMENT_ENDPOINT (custom domains only), the auth
 *   variables (deploy/model/auth.ts), TOPICSOCKET_PUBLISH_AUTH (`iam`/`keys`), TOPICSOCKET_CONNECT_AUTH
 *   (`function`/`authorizer`),
 *   TOPICSOCKET_ACCOUNT / TOPICSOCKET_REGION (fixed dummies for offline synth), else the CLI's
 *   CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION from your credentials.
 */
import { App } from 'aws-cdk-lib';
import {
  authSettings,
  ConnectAuthVariable,
  connectAuthMode,
  PublishAuthVariable,
  publishAuthMode,
  stackModel,
} from '../../model/index.ts';
import { TopicsocketStack } from '../lib/topicsocket-stack.ts';

const model = stackModel({
  stage: process.env.TOPICSOCKET_STAGE ?? 'dev',
  managementEndpoint: process.env.TOPICSOCKET_MANAGEMENT_ENDPOINT,
  // TOPICSOCKET_AUTH, TOPICSOCKET_JWKS_URL, ...: passed to the function under the same names.
  auth: authSettings(process.env),
  // `iam` (default) or `keys`: how POST /publish callers authenticate.
  publishAuth: publishAuthMode(process.env[PublishAuthVariable]),
  // `function` (default) or `authorizer`: a REQUEST Lambda authorizer on $connect.
  connectAuth: connectAuthMode(process.env[ConnectAuthVariable]),
});
const app = new App();
new TopicsocketStack(app, `${model.serviceName}-${model.stage}`, {
  model,
  env: {
    account: process.env.TOPICSOCKET_ACCOUNT ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.TOPICSOCKET_REGION ?? process.env.CDK_DEFAULT_REGION,
  },
  description: `topicsocket WebSocket pub/sub (${model.stage})`,
});
