/** Server hooks (docs/hooks.md): the contract users write against, and the runner the broker calls. */

export type { HookActions } from './context.ts';
export * from './contract.ts';
export { isJson, jsonProblem } from './json-shape.ts';
export {
  type ConnectRequest,
  type HookConnection,
  type HookOutcome,
  HookRunner,
  type HookRunnerOptions,
  type HooksSource,
} from './runner.ts';
export { HookDefaults } from './settings.ts';
export { hooksFromModule } from './validate.ts';
