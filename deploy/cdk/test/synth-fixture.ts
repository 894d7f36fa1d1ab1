/**
 * Synthesizes the stack for tests: bundling runs esbuild locally on the real handlers (no Docker). One bundled
 * synth per test file is enough; variants can skip bundling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  type AccessLogMode,
  type AuthSecretModel,
  type ConnectAuthMode,
  type IndexModel,
  type PublishAuthMode,
  resourceName,
  type StackModel,
  stackModel,
} from '../../model/index.ts';
import { TopicsocketStack } from '../lib/topicsocket-stack.ts';

export const TestAccount = '123456789012';
export const TestRegion = 'eu-west-1';

export interface SynthOptions {
  stage: string;
  managementEndpoint?: string;
  auth?: Record<string, string>;
  publishAuth?: PublishAuthMode;
  connectAuth?: ConnectAuthMode;
  authSecret?: AuthSecretModel;
  existingTableName?: string;
  webSocketAccessLogs?: AccessLogMode;
  alarmTopicArn?: string;
  /** Replaces the design's indexes (it has none today) to exercise the index branch. */
  indexes?: readonly IndexModel[];
  /** The server hooks module to bundle (TOPICSOCKET_HOOKS). */
  hooksFile?: string;
  /** Skip esbuild (for extra variants of the stack: one bundled synth per file is enough). */
  skipBundling?: boolean;
}

export interface Synthesized {
  template: Template;
  model: StackModel;
  stack: TopicsocketStack;
  /** The cloud assembly directory (holds the bundled asset). */
  outdir: string;
}

const outdirs: string[] = [];

/** Deletes every cloud assembly this file synthesized. */
export function removeSynthOutputs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function synthesize(options: SynthOptions): Synthesized {
  const designed = stackModel(options);
  const model = options.indexes
    ? { ...designed, table: { ...designed.table, indexes: options.indexes } }
    : designed;
  const outdir = mkdtempSync(join(tmpdir(), 'topicsocket-cdk-out-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    ...(options.skipBundling ? { context: { 'aws:cdk:bundling-stacks': [] } } : {}),
  });
  const stack = new TopicsocketStack(app, resourceName(model.tool, model.stage), {
    model,
    env: { account: TestAccount, region: TestRegion },
  });
  return { template: Template.fromStack(stack), model, stack, outdir };
}
