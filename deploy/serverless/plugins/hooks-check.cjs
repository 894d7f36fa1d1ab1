'use strict';
/**
 * TOPICSOCKET_HOOKS at package (and deploy, offline) time, as deploy/cdk/bin/app.ts does at synth:
 * - a set module is loaded and its shape checked (scripts/check-hooks.ts, deploy/model/hooks.ts) before
 *   serverless-esbuild bundles it, so a module that throws while it loads or exports the wrong shape stops
 *   the command with its file, line and error instead of failing every cold start. (It is listed before
 *   serverless-esbuild: hooks of one event run in plugin order. Failing first also matters because a failed
 *   serverless-esbuild build leaves its esbuild contexts undisposed, and their service process keeps the
 *   framework from ever exiting.)
 * - an empty TOPICSOCKET_HOOKS means unset: the framework's `${env:...}` falls back only when a variable is
 *   missing, and esbuild refuses an empty alias ("Invalid alias substitution").
 * Names come from custom.topicsocket.hooks (rendered from the model), never spelled here.
 */
const { execFile } = require('node:child_process');
const { join, resolve } = require('node:path');

const checkScript = join(__dirname, '..', 'scripts', 'check-hooks.ts');

class HooksCheck {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    const check = () => this.check();
    this.hooks = {
      // After variables are resolved, before serverless-esbuild reads its options (its own `initialize`).
      initialize: () => this.useModule(),
      'before:package:createDeploymentArtifacts': check,
      'before:deploy:function:packageFunction': check,
      'before:offline:start:init': check,
    };
  }

  get settings() {
    return this.serverless.service.custom.topicsocket.hooks;
  }

  /** The hooks module's absolute path (relative names are from the service folder), or undefined. */
  file() {
    const value = String(process.env[this.settings.variable] ?? '').trim();
    return value === '' ? undefined : resolve(this.serverless.serviceDir, value);
  }

  /** Points the bundles' alias at exactly the file that is checked, or at the empty module when none is. */
  useModule() {
    const alias = this.serverless.service.custom.esbuild.alias;
    alias[this.settings.alias] = this.file() ?? this.settings.none;
  }

  async check() {
    const file = this.file();
    if (file === undefined) return;
    const { stdout, stderr, code } = await run(process.execPath, ['--import', 'tsx', checkScript, file], {
      cwd: this.serverless.serviceDir,
    });
    if (code !== 0) {
      const reason = stderr.trim() || `${checkScript} exited ${code}`;
      throw new this.serverless.classes.Error(`the hooks module does not load: ${reason}`);
    }
    this.log?.notice?.(`hooks: ${stdout.trim()}`);
  }
}

function run(command, args, options) {
  return new Promise((done) => {
    execFile(command, args, { ...options, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      done({ stdout, stderr, code: error ? (error.code ?? 1) : 0 }),
    );
  });
}

module.exports = HooksCheck;
