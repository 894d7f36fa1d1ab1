/**
 * Every shell command in README.md and docs/*.md is accounted for in test/docs/command-inventory.ts: run by
 * a named test or CI step (which quotes it verbatim), or marked as needing AWS or deliberately not run,
 * with the reason. A new command in a doc fails this test until it is listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CommandInventory } from './command-inventory.ts';
import { shellCommands } from './shell-blocks.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const documented = shellCommands(ROOT);

describe('docs command inventory', () => {
  it('lists every command of every fenced sh block', () => {
    const missing = documented
      .filter(({ doc, command }) => CommandInventory[doc]?.[command] === undefined)
      .map(({ doc, line, command }) => `${doc}:${line}: ${command}`);
    expect(missing, 'add these to test/docs/command-inventory.ts, with what runs them').toEqual([]);
  });

  it('lists nothing that is no longer in the docs', () => {
    const present = new Set(documented.map(({ doc, command }) => `${doc}\n${command}`));
    const stale = Object.entries(CommandInventory).flatMap(([doc, commands]) =>
      Object.keys(commands)
        .filter((command) => !present.has(`${doc}\n${command}`))
        .map((command) => `${doc}: ${command}`),
    );
    expect(stale).toEqual([]);
  });

  it('names files that exist and really contain what they are said to run', () => {
    const wrong: string[] = [];
    for (const [doc, commands] of Object.entries(CommandInventory)) {
      for (const [command, coverage] of Object.entries(commands)) {
        const file = 'ranBy' in coverage ? coverage.ranBy : 'see' in coverage ? coverage.see : undefined;
        if (file === undefined) continue;
        if (!existsSync(join(ROOT, file))) {
          wrong.push(`${doc}: ${command}: ${file} does not exist`);
          continue;
        }
        const expected = 'ranBy' in coverage ? (coverage.as ?? command) : undefined;
        if (expected && !readFileSync(join(ROOT, file), 'utf8').includes(expected)) {
          wrong.push(`${doc}: ${command}: ${file} does not contain ${JSON.stringify(expected)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives a reason for every command that is not run', () => {
    const reasons = Object.values(CommandInventory).flatMap((commands) =>
      Object.values(commands).flatMap((coverage) =>
        'needsAws' in coverage ? [coverage.needsAws] : 'notRun' in coverage ? [coverage.notRun] : [],
      ),
    );
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(20);
  });
});
