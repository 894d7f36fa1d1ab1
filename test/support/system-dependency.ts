/**
 * Tests that need a program the project cannot install itself (Chromium, cfn-lint) say so loudly when it is
 * missing, instead of a skip nobody reads:
 *
 * - `requiredInCi`: CI installs it (.ci/run apt-installs Chromium and Java), so with `CI=true` its absence is
 *   a failure of the test file; elsewhere (a laptop without it) the tests skip after a warning on stderr.
 * - `optional`: nothing installs it (cfn-lint is a Python tool, and there is no PyPI here), so its absence
 *   is a warning on stderr everywhere, CI included, and the tests that need it run without it.
 */
export const inCi = process.env.CI === 'true';

function warn(message: string): void {
  process.stderr.write(`\n!!! ${message}\n\n`);
}

/** True when present; throws on CI when absent; warns and returns false elsewhere (the caller skips). */
export function requiredInCi(name: string, present: boolean, install: string): boolean {
  if (present) return true;
  const message = `${name} is missing (${install}): its tests cannot run`;
  if (inCi)
    throw new Error(`${message}; CI=true, and CI installs it (.ci/run), so this fails instead of skipping`);
  warn(`SKIPPED: ${message}.`);
  return false;
}

/** Returns `present`; warns when absent (what does not run is named by the caller's test titles). */
export function optional(name: string, present: boolean, consequence: string): boolean {
  if (!present) warn(`${name} is missing: ${consequence}.`);
  return present;
}
