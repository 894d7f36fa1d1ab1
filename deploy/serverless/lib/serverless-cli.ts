/**
 * Runs this package's Serverless Framework CLI offline: dummy credentials (nothing reaches AWS), no
 * telemetry, and output captured for the failure message.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AlarmTopicVariable,
  AuthSecretDeployVariables,
  AuthVariableNames,
  ConnectAuthVariable,
  PublishAuthVariable,
  WebSocketAccessLogsVariable,
} from '../../model/index.ts';

export const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const serverlessBin = join(serviceDir, 'node_modules', 'serverless', 'bin', 'serverless.js');

/** Read from the deployer's environment at deploy time; never from the one packaging here. */
const DeployTimeAuthVariables = [
  ...AuthVariableNames,
  PublishAuthVariable,
  ConnectAuthVariable,
  ...AuthSecretDeployVariables,
  WebSocketAccessLogsVariable,
  AlarmTopicVariable,
];

export const offlineEnv: NodeJS.ProcessEnv = {
  ...withoutAuthSettings(process.env),
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'offline-dummy-secret',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_DEPRECATION_DISABLE: '*',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * The auth settings of the caller's shell, for `npm run offline`: running the handler locally is the
 * deployer's own session, so `TOPICSOCKET_AUTH=open npm run offline` must reach it (packaging ignores them).
 */
export function callerAuthSettings(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => DeployTimeAuthVariables.includes(name)));
}

/** The caller's environment minus auth settings: what gets packaged must not depend on who runs it. */
function withoutAuthSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !DeployTimeAuthVariables.includes(name)));
}

/**
 * Runs `serverless <args>` to completion and resolves its stdout; rejects with all its output on failure.
 * `deployerEnv`: variables as a deployer's shell would set them (e.g. TOPICSOCKET_PUBLISH_AUTH).
 */
export function runServerless(args: string[], deployerEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverlessBin, ...args], {
      cwd: serviceDir,
      env: { ...offlineEnv, ...deployerEnv },
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`serverless ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}
