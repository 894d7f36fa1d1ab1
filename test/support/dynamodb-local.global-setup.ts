/**
 * Vitest global setup: one DynamoDB Local JVM per test run, shared by every DynamoDB test file. It is
 * spawned without waiting, so runs that never touch DynamoDB pay nothing for the JVM start; tests wait in
 * `dynamoDbLocalEndpoint()`. Teardown kills the java process.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './dynamodb-local.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const local = await startDynamoDbLocal();
  project.provide('dynamoDbLocalEndpoint', local.endpoint);
  return () => local.stop();
}
