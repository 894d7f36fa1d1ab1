/**
 * The shell commands of the docs: every fenced `sh` (or `bash`, `shell`) block of README.md and docs/*.md,
 * one command per line, with `\` continuations joined, trailing `# comments` dropped, and the `>`/`<` lines
 * of a transcript (wscat) left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocCommand {
  /** README.md or docs/x.md */
  doc: string;
  command: string;
  /** 1-based line of the command in the doc. */
  line: number;
}

const FENCE = /^```(\w*)\s*$/;
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);

export function documentedDocs(root: string): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `docs/${name}`),
  ];
}

export function shellCommands(root: string): DocCommand[] {
  const found: DocCommand[] = [];
  for (const doc of documentedDocs(root)) {
    const lines = readFileSync(join(root, doc), 'utf8').split('\n');
    let inShell = false;
    let inFence = false;
    let pending: { text: string; line: number } | undefined;
    lines.forEach((raw, index) => {
      const fence = FENCE.exec(raw.trim());
      if (fence) {
        if (!inFence) {
          inFence = true;
          inShell = SHELL_LANGUAGES.has(fence[1] ?? '');
        } else {
          inFence = false;
          inShell = false;
        }
        return;
      }
      if (!inShell) return;
      const line = stripComment(raw).trim();
      if (!pending && (line === '' || line.startsWith('>') || line.startsWith('<'))) return;
      const continued = line.endsWith('\\');
      const part = continued ? line.slice(0, -1).trim() : line;
      pending = pending
        ? { text: `${pending.text} ${part}`, line: pending.line }
        : { text: part, line: index + 1 };
      if (!continued) {
        found.push({ doc, command: pending.text, line: pending.line });
        pending = undefined;
      }
    });
  }
  return found;
}

/** `cmd   # why` -> `cmd`; a `#` inside quotes or a word (`#x`, URLs) stays. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(line[index - 1] ?? ''))) {
      return line.slice(0, index);
    }
  }
  return line;
}
