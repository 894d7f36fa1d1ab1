/**
 * `npm run soak`: the long soak and fault runs (soak/plans.ts), one after the other, on loopback; prints
 * each result as it comes and writes them all, with the date and machine, to soak/results/latest.json.
 * `npm run soak -- --short` runs the test suite's sizes. `--only=connections,throttle,restart,kill` picks.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { startDynamoDbLocal, waitUntilAnswering } from '../test/support/dynamodb-local.ts';
import { soakConnections } from './connections.ts';
import { soakDynamoDbRestart } from './dynamodb-restart.ts';
import { soakKillDev } from './kill-dev.ts';
import { LongSoak, ShortSoak } from './plans.ts';
import { soakThrottled } from './throttle.ts';

const plan = process.argv.includes('--short') ? ShortSoak : LongSoak;
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (name: string) => !only || only.includes(name);

const resultsFile = new URL('./results/latest.json', import.meta.url);
// With --only, the other scenarios' last results are kept (each result carries its own date).
const earlier =
  only && existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>)
    : {};
const results: Record<string, unknown> = {
  ...earlier,
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  plan: process.argv.includes('--short') ? 'short' : 'long',
};
const report = (name: string, value: object) => {
  results[name] = { date: new Date().toISOString(), ...value };
  process.stdout.write(`${name}: ${JSON.stringify(value)}\n`);
};

const db = await startDynamoDbLocal();
try {
  await waitUntilAnswering(db.endpoint);
  if (wanted('connections')) report('connections', await soakConnections(plan.connections));
  if (wanted('throttle'))
    report('throttle', await soakThrottled({ endpoint: db.endpoint, ...plan.throttle }));
  if (wanted('restart')) report('restart', await soakDynamoDbRestart(plan.restart));
  if (wanted('kill')) report('kill', await soakKillDev({ endpoint: db.endpoint, ...plan.killDev }));
} finally {
  await db.stop();
}
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
