/**
 * cfn-lint, when the machine has it (it is a Python tool: the project cannot install it, there is no PyPI
 * access; this machine has it through pyenv). Tests skip when it is absent and say so in their name.
 */
import { spawnSync } from 'node:child_process';

export const cfnLintAvailable = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

/** Lints one template: its error lines (`E…` rules; warnings and infos left out). */
export function cfnLintErrors(templateFile: string): string[] {
  const run = spawnSync('cfn-lint', ['--format', 'parseable', templateFile], { encoding: 'utf8' });
  // Exit status is a bit mask (2 errors, 4 warnings, 8 infos); 1 is cfn-lint itself failing.
  if (run.status === 1 || run.status === null) throw new Error(`cfn-lint failed: ${run.stderr}`);
  return run.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
}
