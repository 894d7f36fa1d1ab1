/**
 * Without a usable Java, DynamoDB Local cannot start: the test support and `topicsocket dynamodb-local`
 * say so in one line at once, instead of waiting 30 s for a JVM that `spawn java ENOENT` never started.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { javaProblem } from '../../src/cli/dynamodb-local/java.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];

/** A PATH with nothing on it, or with a fake `java` that prints `version`. */
function pathWith(version?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-java-'));
  dirs.push(dir);
  if (version) {
    const java = join(dir, 'java');
    writeFileSync(java, `#!/bin/sh\necho 'openjdk version "${version}" 2024-01-16' >&2\n`);
    chmodSync(java, 0o755);
  }
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs a module snippet in a child node with `PATH`; resolves with its exit code, stderr and duration. */
function node(code: string, path: string): Promise<{ exit: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, PATH: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) =>
    child.once('exit', (exit) => resolve({ exit, stderr, ms: Date.now() - started })),
  );
}

describe('DynamoDB Local without Java', () => {
  it('names the problem and the fix: missing, too old, or fine', () => {
    expect(javaProblem('java', { PATH: pathWith() })).toMatch(
      /^DynamoDB Local needs Java, and `java` is not on PATH: install Java 17\+ .*openjdk-17-jre-headless/,
    );
    expect(javaProblem('java', { PATH: pathWith('11.0.22') })).toMatch(/is Java 11: install Java 17\+/);
    expect(javaProblem('java', { PATH: pathWith('1.8.0_402') })).toMatch(/is Java 8:/);
    expect(javaProblem('java', { PATH: pathWith('17.0.13') })).toBeUndefined();
    expect(javaProblem('java', { PATH: pathWith('21.0.2') })).toBeUndefined();
  });

  it('a DynamoDB test file fails at once with that one line (the shared DynamoDB Local of test/support)', async () => {
    const state = mkdtempSync(join(tmpdir(), 'topicsocket-ddb-state-'));
    dirs.push(state);
    const result = await node(
      `import { sharedDynamoDbLocal } from './test/support/dynamodb-local.ts';
       try { await sharedDynamoDbLocal(${JSON.stringify(state)}); process.exit(0); }
       catch (error) { process.stderr.write(error.message + '\\n'); process.exit(3); }`,
      pathWith(),
    );
    expect(result.exit, result.stderr).toBe(3);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('`java` is not on PATH')]);
    // Well under the 30 s the endpoint wait used to take (node and tsx start-up included).
    expect(result.ms).toBeLessThan(15_000);
  });

  it('`topicsocket dynamodb-local` exits 1 with the one line', async () => {
    const result = await node(
      `process.argv = [process.execPath, 'src/cli/main.ts', 'dynamodb-local', '--port', '1'];
       await import('./src/cli/main.ts');`,
      pathWith(),
    );
    expect(result.exit).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^topicsocket dynamodb-local: DynamoDB Local needs Java, and `java` is not on PATH/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
