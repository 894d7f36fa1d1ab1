/**
 * The hand-written SigV4 signer (src/runtimes/aws/sigv4.ts) against the SDK's own (`@smithy/signature-v4`,
 * configured as the API Gateway Management client configures it) for identical input: many connection
 * ids (API Gateway's base64 ones and odd ones), paths, header sets, clocks and credentials, with and
 * without a session token. Any difference in the canonical request (path escaping, header normalization,
 * scope, signing key) changes the signature.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { amzDate, canonicalPath, SigV4Signer } from '../../../src/runtimes/aws/sigv4.ts';

/** Deterministic pseudo-random numbers (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ODD = ['a b', 'ä€', "!'()*", '~._-', '%41', '..', '.', 'a/b', 'x?y#z', '@'];

function connectionId(next: () => number, index: number): string {
  if (index % 7 === 6) return ODD[index % ODD.length] as string;
  let id = '';
  for (let i = 0; i < 15; i++) id += BASE64[Math.floor(next() * 64)];
  return `${id}=`;
}

const smithy = (
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
) => new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256, uriEscapePath: true });

describe('SigV4Signer', () => {
  it('signs exactly as @smithy/signature-v4 does, over 300 generated requests', async () => {
    const next = random(12);
    for (let index = 0; index < 300; index++) {
      const region = ['us-east-1', 'eu-west-1', 'ap-southeast-2'][index % 3] as string;
      const credentials = {
        accessKeyId: `AKID${index}`,
        secretAccessKey: `secret/${index}+${Math.floor(next() * 1e9)}`,
        ...(index % 2 === 0 ? { sessionToken: `token-${index}==` } : {}),
      };
      const stage = ['prod', 'dev/v1', '', 'a b'][index % 4] as string;
      const id = connectionId(next, index);
      const path = `${stage ? `/${encodeURIComponent(stage).replace(/%2F/g, '/')}` : ''}/@connections/${extendedEncodeURIComponent(id)}`;
      const body = new TextEncoder().encode(`{"n":${index},"text":"${'x'.repeat(index % 50)}"}`);
      const payloadHash = createHash('sha256').update(body).digest('hex');
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream',
        'content-length': String(body.byteLength),
        host: `abc${index}.execute-api.${region}.amazonaws.com`,
        'x-amz-content-sha256': payloadHash,
      };
      if (index % 5 === 0) headers['X-Custom-Header'] = `  two  spaces\tand tab  `;
      // Any second from 2001 to 2050, and the last one of a day (the scope's date changes at midnight).
      const clock =
        index % 11 === 0
          ? Date.UTC(2026, 11, 31, 23, 59, 59, 999)
          : Math.floor(Date.UTC(2001, 0, 1) + next() * 50 * 365 * 86_400_000);

      const expected = await smithy(region, credentials).sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: headers.host as string,
          path,
          query: {},
          headers,
          body,
        },
        { signingDate: new Date(clock) },
      );
      const actual = new SigV4Signer('execute-api', region).sign(
        { method: 'POST', path, headers, payloadHash },
        credentials,
        clock,
      );
      const context = `case ${index}: ${path}`;
      expect(actual.authorization, context).toBe(expected.headers.authorization);
      expect(actual['x-amz-date'], context).toBe(expected.headers['x-amz-date']);
      expect(actual['x-amz-security-token'], context).toBe(expected.headers['x-amz-security-token']);
    }
  });

  it('keeps one signer right across days and credentials (the cached key and date follow them)', async () => {
    const signer = new SigV4Signer('execute-api', 'us-east-1');
    const path = '/prod/@connections/abc%3D';
    const headers = { host: 'h.example', 'x-amz-content-sha256': 'e3b0c442' };
    const first = { accessKeyId: 'A', secretAccessKey: 'one' };
    const second = { accessKeyId: 'B', secretAccessKey: 'two', sessionToken: 't' };
    const day = Date.UTC(2026, 11, 1, 23, 59, 59);
    for (const [credentials, clock] of [
      [first, day],
      [first, day + 1_000],
      [second, day + 1_000],
      [first, day + 2_000],
    ] as const) {
      const expected = await smithy('us-east-1', credentials).sign(
        { method: 'POST', protocol: 'https:', hostname: 'h.example', path, query: {}, headers },
        { signingDate: new Date(clock) },
      );
      const actual = signer.sign(
        { method: 'POST', path, headers, payloadHash: headers['x-amz-content-sha256'] },
        credentials,
        clock,
      );
      expect(actual.authorization).toBe(expected.headers.authorization);
    }
  });

  it('formats the date and the canonical path as SigV4 defines them', () => {
    expect(amzDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('20260102T030405Z');
    expect(canonicalPath('/prod/@connections/a%2Bb%3D')).toBe('/prod/%40connections/a%252Bb%253D');
    expect(canonicalPath('/a/./b/../c//d/')).toBe('/a/c/d/');
  });
});
