import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { USER_MODULE_EXTENSIONS } from '../user-module.ts';

/** One Lambda function the emulator hosts: where its code is and how it is configured. */
export interface FunctionSpec {
  /** The function's name in `context.functionName`. */
  name: string;
  /** Absolute path of its module. */
  file: string;
  /** The export that is the handler (`handler` unless named). */
  exportName: string;
  timeoutMs: number;
  memoryLimitInMB: number;
}

/** `./file.js#export` (export `handler` when omitted), relative to `cwd`. */
export function parseHandlerFlag(value: string, cwd: string): { file: string; exportName: string } {
  const hash = value.lastIndexOf('#');
  const path = hash === -1 ? value : value.slice(0, hash);
  const exportName = hash === -1 ? 'handler' : value.slice(hash + 1);
  if (path === '' || exportName === '') {
    throw new Error(`"${value}" is not FILE or FILE#EXPORT (e.g. ./src/handler.js#connect)`);
  }
  return { file: resolve(cwd, path), exportName };
}

/**
 * The Serverless Framework's `handler: src/handler.connect`: the module path without its extension, a dot,
 * the export. The file is the first that exists with one of the loader's extensions, as the Framework's
 * Node.js packaging (and serverless-esbuild) find it.
 */
export function resolveServerlessHandler(
  handler: string,
  serviceDir: string,
): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) {
    throw new Error(`handler "${handler}" is not PATH.EXPORT (e.g. src/handler.connect)`);
  }
  const base = resolve(serviceDir, handler.slice(0, dot));
  const exportName = handler.slice(dot + 1);
  for (const extension of USER_MODULE_EXTENSIONS) {
    if (existsSync(`${base}${extension}`)) return { file: `${base}${extension}`, exportName };
  }
  throw new Error(
    `handler "${handler}": no file ${handler.slice(0, dot)}{${USER_MODULE_EXTENSIONS.join(',')}} in ${serviceDir}`,
  );
}

/** A module that does not export the handler it is configured with. */
export class MissingExportError extends Error {
  override readonly name = 'MissingExportError';
}

/**
 * The handler a module exports under `name`: a named export of an ES module, or a property of a CommonJS
 * module's `module.exports` (which reaches an ES importer as `default`).
 */
export function pickExport(
  exports: Readonly<Record<string, unknown>>,
  name: string,
  file: string,
): (...args: never[]) => unknown {
  const commonJs = exports.default;
  const value =
    exports[name] ??
    (typeof commonJs === 'object' && commonJs !== null
      ? (commonJs as Record<string, unknown>)[name]
      : undefined);
  if (typeof value === 'function') return value as (...args: never[]) => unknown;
  const names = [
    ...Object.keys(exports).filter((key) => key !== 'default'),
    ...(typeof commonJs === 'object' && commonJs !== null ? Object.keys(commonJs) : []),
  ];
  throw new MissingExportError(
    `${file} has no function export "${name}"${names.length > 0 ? ` (it exports ${[...new Set(names)].join(', ')})` : ''}`,
  );
}
