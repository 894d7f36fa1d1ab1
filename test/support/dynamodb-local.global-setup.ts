/**
 * Vitest global setup: owns the lifecycle of the run's DynamoDB Local (see dynamodb-local.ts). It starts
 * nothing itself; it hands workers a state directory, and kills whatever JVM they started there at
 * teardown, or at process exit if teardown never runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { killSharedDynamoDbLocal, stopSharedDynamoDbLocal } from './dynamodb-local.ts';

export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-dynamodb-local-'));
  project.provide('dynamoDbLocalDir', dir);
  const onExit = () => killSharedDynamoDbLocal(dir);
  process.once('exit', onExit);
  return async () => {
    process.off('exit', onExit);
    await stopSharedDynamoDbLocal(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}
