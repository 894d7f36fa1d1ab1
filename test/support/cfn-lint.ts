/**
 * cfn-lint, when the machine has it (it is a Python tool: the project cannot install it, there is no PyPI
 * access; this machine has it through pyenv, .ci/run does not install it). Tests run without it when it is
 * absent, say so in their name, and a warning says so on stderr, on CI too.
 */
import { spawnSync } from 'node:child_process';
import { optional } from './system-dependency.ts';

export const cfnLintAvailable = optional(
  'cfn-lint',
  spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0,
  'the synthesized templates are checked by cdk-nag only, not linted (pip install cfn-lint to lint them)',
);

/** Lints one template: its error lines (`E…` rules; warnings and infos left out). */
export function cfnLintErrors(templateFile: string): string[] {
  const run = spawnSync('cfn-lint', ['--format', 'parseable', templateFile], { encoding: 'utf8' });
  // Exit status is a bit mask (2 errors, 4 warnings, 8 infos); 1 is cfn-lint itself failing.
  if (run.status === 1 || run.status === null) throw new Error(`cfn-lint failed: ${run.stderr}`);
  return run.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
}
