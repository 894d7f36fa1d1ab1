/**
 * Synthesizes the stack once per test file. Bundling runs esbuild locally on the real handler; only if that
 * file has not been written yet does it fall back to a throwaway stub in a temp dir (never in the repo).
 */
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type StackModel, stackModel } from '../../model/index.ts';
import { repoRoot, TopicsocketStack } from '../lib/topicsocket-stack.ts';

export const TestAccount = '123456789012';
export const TestRegion = 'eu-west-1';

function handlerLocation(model: StackModel): { entryPath: string; projectRoot: string } {
  const real = join(repoRoot, model.function.entry);
  if (existsSync(real)) return { entryPath: real, projectRoot: repoRoot };
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-cdk-stub-'));
  writeFileSync(join(dir, 'handler.ts'), 'export const handler = async () => ({ statusCode: 200 });\n');
  // esbuild is found through the stub project's node_modules, which is the repo's.
  writeFileSync(join(dir, 'package-lock.json'), '{}\n');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return { entryPath: join(dir, 'handler.ts'), projectRoot: dir };
}

export interface SynthOptions {
  stage: string;
  managementEndpoint?: string;
  auth?: Record<string, string>;
  /** Skip esbuild (for extra variants of the stack: one bundled synth per file is enough). */
  skipBundling?: boolean;
}

export function synthesize(options: SynthOptions): {
  template: Template;
  model: StackModel;
  stack: TopicsocketStack;
} {
  const model = stackModel(options);
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'topicsocket-cdk-out-')),
    ...(options.skipBundling ? { context: { 'aws:cdk:bundling-stacks': [] } } : {}),
  });
  const stack = new TopicsocketStack(app, `topicsocket-${model.stage}`, {
    model,
    ...handlerLocation(model),
    env: { account: TestAccount, region: TestRegion },
  });
  return { template: Template.fromStack(stack), model, stack };
}
