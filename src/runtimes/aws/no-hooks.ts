/**
 * What `@topicsocket/deployed-hooks` resolves to when no hooks module is deployed (tsconfig.json `paths`,
 * which esbuild, tsx and tsc follow; vitest.config.ts aliases it the same way). The deploy tools alias the id
 * to the file TOPICSOCKET_HOOKS names at synth/package time instead (deploy/model/hooks.ts).
 */
export const noHooks = true;
