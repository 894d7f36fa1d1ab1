#!/usr/bin/env bash
# `npm run test:packages` (and .ci/run, after `npm test`): what someone who installs the published packages
# gets, checked from outside the repository.
#
#  1. `npm pack` both packages (topicsocket's prepack builds both); publint and arethetypeswrong on the tarballs.
#  2. A fresh consumer project (in a temporary folder) installs the two tarballs, and there:
#     - no tsx, TypeScript or esbuild came with them;
#     - scripts/consumer/smoke.mjs (plain Node ESM) starts `npx topicsocket dev`, subscribes and publishes,
#       fetches the prebuilt console and stops the server, under this Node, Node 22 and Node 24;
#     - scripts/consumer/types.ts type-checks with moduleResolution nodenext and bundler (skipLibCheck off).
#  3. A second consumer installs only @topicsocket/client: nothing else lands in its node_modules; esbuild
#     bundles scripts/consumer/browser-app.ts for the browser from the client alone; the prebuilt browser file
#     loads as a self-contained ES module.
# Takes a minute or two, most of it npm installing the AWS SDK into the first consumer.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
fixtures=$repo/scripts/consumer
work=$(mktemp -d "${TMPDIR:-/tmp}/topicsocket-packages.XXXXXX")
trap '[ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
quiet=(--no-audit --no-fund --loglevel=error)
# Versions known to work (docs/architecture.md, "Packages"); the consumers get the same tools as the repo.
typescript=$(node -p "require('typescript/package.json').version")
esbuild=$(node -p "require('esbuild/package.json').version")
version=$(node -p "require('./package.json').version")
step() { printf '\n== %s\n' "$*"; }

step "npm pack (prepack builds both packages)"
npm pack --pack-destination "$work" "${quiet[@]}" >/dev/null
npm pack --ignore-scripts -w packages/client --pack-destination "$work" "${quiet[@]}" >/dev/null
server_tgz=$work/topicsocket-$version.tgz
client_tgz=$work/topicsocket-client-$version.tgz
ls -l "$server_tgz" "$client_tgz"

step "publint and arethetypeswrong"
for tgz in "$server_tgz" "$client_tgz"; do
  npx --no-install publint run --strict "$tgz"
  # ESM only: CommonJS `require` of an ES module (node16-cjs) is left to Node's require(esm), which every
  # supported Node (engines) has; node10 resolution predates `exports`.
  npx --no-install attw "$tgz" --profile esm-only --format table-flipped --no-color
done

step "consumer 1: topicsocket + @topicsocket/client"
app=$work/app
mkdir "$app"
cp "$fixtures/smoke.mjs" "$fixtures/types.ts" "$fixtures/tsconfig.nodenext.json" "$fixtures/tsconfig.bundler.json" "$app/"
cd "$app"
npm init -y >/dev/null
npm pkg set type=module && npm pkg set private=true --json
npm install "${quiet[@]}" "$client_tgz" "$server_tgz"
for dev_only in tsx typescript esbuild vitest; do
  if [ -e "node_modules/$dev_only" ]; then
    echo "consumer 1: $dev_only was installed with the packages" >&2
    exit 1
  fi
done
node smoke.mjs
npx -y -p node@22 node smoke.mjs
npx -y -p node@24 node smoke.mjs
npm install "${quiet[@]}" --save-dev "typescript@$typescript" "@types/node@^20.19.0"
npx --no-install tsc -p tsconfig.nodenext.json
npx --no-install tsc -p tsconfig.bundler.json
echo "types.ts type-checks with moduleResolution nodenext and bundler"

step "consumer 2: @topicsocket/client alone"
web=$work/web
mkdir "$web"
cp "$fixtures/browser-app.ts" "$fixtures/tsconfig.browser.json" "$web/"
cd "$web"
npm init -y >/dev/null
npm pkg set type=module && npm pkg set private=true --json
npm install "${quiet[@]}" "$client_tgz"
installed=$(cd node_modules && find . -name package.json -not -path '*/node_modules/*/node_modules/*' | sort)
if [ "$installed" != "./@topicsocket/client/package.json" ]; then
  printf 'consumer 2: installing @topicsocket/client brought more than itself:\n%s\n' "$installed" >&2
  exit 1
fi
echo "node_modules holds @topicsocket/client and nothing else"
npm install "${quiet[@]}" --save-dev "esbuild@$esbuild" "typescript@$typescript"
npx --no-install tsc -p tsconfig.browser.json
node --input-type=module -e "
import { build } from 'esbuild';
const result = await build({
  entryPoints: ['browser-app.ts'], bundle: true, minify: true, format: 'esm', platform: 'browser',
  target: 'es2022', outfile: 'app.js', metafile: true, logLevel: 'error',
});
const inputs = Object.keys(result.metafile.inputs).filter((input) => input !== 'browser-app.ts');
const strays = inputs.filter((input) => !input.startsWith('node_modules/@topicsocket/client/dist/'));
if (inputs.length === 0 || strays.length > 0) throw new Error('bundle pulled in: ' + strays.join(', '));
console.log('browser bundle: ' + result.metafile.outputs['app.js'].bytes + ' bytes from ' + inputs.length + ' client files, nothing else');
const min = await import('@topicsocket/client/topicsocket-client.min.js');
if (typeof min.createClient !== 'function') throw new Error('the prebuilt browser file exports no createClient');
console.log('@topicsocket/client/topicsocket-client.min.js loads as a self-contained ES module');
"

step "packages verified"
