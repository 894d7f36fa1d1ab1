// Runs built Lambda bundles (CommonJS, as deployed) on the Node.js that runs this file, against the
// services named in its environment, and prints one JSON line: the Node version and every result.
// Usage: node bundle-runner.mjs <plan.json>; the plan lists {bundle, event} invocations in order.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = [];
for (const step of plan.steps) {
  const { handler } = require(step.bundle);
  const context = { awsRequestId: `node24-${results.length}`, getRemainingTimeInMillis: () => 29_000 };
  try {
    results.push({ ok: true, result: await handler(step.event, context) });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(`${JSON.stringify({ node: process.version, results })}\n`);
