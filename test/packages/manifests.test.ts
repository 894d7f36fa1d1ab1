import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The two package.json files say some things twice (npm needs each in its own manifest): keep them equal. */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
interface Manifest {
  name: string;
  version: string;
  license: string;
  engines: { node: string };
  repository: { url: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const server = JSON.parse(read('package.json')) as Manifest;
const client = JSON.parse(read('packages/client/package.json')) as Manifest;

describe('package manifests', () => {
  it('topicsocket depends on exactly the @topicsocket/client of this tree, released together', () => {
    expect(server.dependencies?.[client.name]).toBe(client.version);
    expect(client.version).toBe(server.version);
  });

  it('say the same license, Node range and repository, and ship the same LICENSE text', () => {
    expect(client.license).toBe(server.license);
    expect(read('LICENSE')).toContain(`${server.license} License`);
    expect(read('packages/client/LICENSE')).toBe(read('LICENSE'));
    expect(client.engines).toEqual(server.engines);
    expect(client.repository.url).toBe(server.repository.url);
  });

  it('@topicsocket/client has no dependencies; tsx is a devDependency of topicsocket', () => {
    expect(client.dependencies ?? {}).toEqual({});
    expect(server.dependencies?.tsx).toBeUndefined();
    expect(server.devDependencies?.tsx).toBeDefined();
  });
});
