/**
 * The lean PostToConnection (src/runtimes/aws/signed-post.ts) against the SDK's own PostToConnectionCommand:
 * the same signature for identical input (same credentials, same clock), the same request line, body and
 * signed headers on the wire, and the same errors for 410, 413, 429 and 403 from a real endpoint.
 */

import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConnectionsEndpoint,
  startConnectionsEndpoint,
} from '../../../bench/aws-fanout/connections-endpoint.ts';
import { sdkPoster } from '../../../src/runtimes/aws/api-gateway-gateway.ts';
import { isGone, isRetryable, isThrottled } from '../../../src/runtimes/aws/management-errors.ts';
import { SignedPoster } from '../../../src/runtimes/aws/signed-post.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const region = 'eu-west-1';
const CLOCK = Date.UTC(2026, 11, 1, 12, 34, 56);
const CONNECTION_ID = 'L0SM9cOFvHcCIhw=';
const BODY = new TextEncoder().encode(
  '{"type":"message","topic":"news","data":"héllo","offset":7,"epoch":"AbCd"}',
);

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** A node:crypto sha256/hmac in the shape the smithy signer takes, independent of the SDK's own. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

describe('signed PostToConnection', () => {
  let capture: Server;
  let endpoint: string;
  const captured: Captured[] = [];

  beforeAll(async () => {
    capture = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        captured.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks),
        });
        response.writeHead(200, { 'content-length': '0' }).end();
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(capture.address() as AddressInfo).port}/prod`;
  });

  afterAll(async () => {
    capture.closeAllConnections();
    await new Promise((resolve) => capture.close(resolve));
  });

  it('signs exactly as the SDK does for the same request, credentials and clock', async () => {
    const sdk = new ApiGatewayManagementApiClient({
      endpoint,
      region,
      credentials,
      maxAttempts: 1,
      systemClockOffset: CLOCK - Date.now(),
    });
    await sdkPoster(sdk).post(CONNECTION_ID, BODY);
    sdk.destroy();
    const lean = new SignedPoster({
      endpoint,
      region: async () => region,
      credentials: async () => credentials,
      maxSockets: 1,
      now: () => CLOCK,
    });
    await lean.post(CONNECTION_ID, BODY);
    const [fromSdk, fromLean] = captured.splice(0) as [Captured, Captured];

    // Same request line and body; every header the lean request signs, the SDK sent with the same value.
    expect(fromLean.method).toBe('POST');
    expect(fromLean.url).toBe(fromSdk.url);
    expect(fromLean.body.equals(fromSdk.body)).toBe(true);
    const signedBy = (headers: IncomingHttpHeaders) =>
      /SignedHeaders=([^,]+)/.exec(String(headers.authorization))?.[1]?.split(';') ?? [];
    const leanSigned = signedBy(fromLean.headers);
    expect(leanSigned).toEqual([
      'content-length',
      'content-type',
      'host',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-security-token',
    ]);
    for (const name of leanSigned) expect(fromLean.headers[name], name).toBe(fromSdk.headers[name]);
    expect(String(fromLean.headers.authorization)).toContain(
      `Credential=AKIDEXAMPLE/20261201/${region}/execute-api/aws4_request`,
    );

    // The SDK's request, with the SDK's exact header set, re-signed by the lean signer: the same signature
    // (so the same canonical request: path escaping, service, region, scope, payload hash).
    const sdkHeaders = Object.fromEntries(
      Object.entries(fromSdk.headers)
        .filter(
          ([name]) =>
            !['authorization', 'x-amz-date', 'x-amz-security-token', 'user-agent', 'connection'].includes(
              name,
            ),
        )
        .map(([name, value]) => [name, String(value)]),
    );
    const request = lean.unsigned(CONNECTION_ID, BODY);
    const resigned = await lean.sign({ ...request, headers: sdkHeaders }, new Date(CLOCK));
    expect(resigned.headers.authorization).toBe(fromSdk.headers.authorization);

    // And the lean request as received verifies with an independent signer over its own headers.
    const verifier = new SignatureV4({
      service: 'execute-api',
      region,
      credentials,
      sha256: NodeSha256,
      uriEscapePath: true,
    });
    const received = Object.fromEntries(
      leanSigned
        .filter((name) => name !== 'x-amz-date' && name !== 'x-amz-security-token')
        .map((name) => [name, String(fromLean.headers[name])]),
    );
    const verified = await verifier.sign(
      { ...request, headers: received, path: fromLean.url },
      { signingDate: new Date(CLOCK) },
    );
    expect(verified.headers.authorization).toBe(fromLean.headers.authorization);
    lean.destroy();
  });

  describe('errors, as the SDK reports them', () => {
    let standIn: ConnectionsEndpoint;
    const outcomes = {
      gone: 'gone=',
      throttled: 'full=',
      forbidden: 'forbidden=',
    };

    beforeAll(async () => {
      standIn = await startConnectionsEndpoint({
        latencyMs: 0,
        account: false,
        isLive: (id) => id !== outcomes.gone,
        fullBuffers: new Set([outcomes.throttled]),
        forbidden: new Set([outcomes.forbidden]),
        maxBodyBytes: 64,
      });
    });

    afterAll(() => standIn.close());

    const failureOf = async (
      post: (id: string, data: Uint8Array) => Promise<void>,
      id: string,
      data: Uint8Array<ArrayBuffer> = new Uint8Array(8),
    ) => {
      try {
        await post(id, data);
        return undefined;
      } catch (error) {
        const e = error as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
        return {
          name: e.name,
          status: e.$metadata?.httpStatusCode,
          fault: e.$fault,
          message: e.message,
          gone: isGone(error),
          throttled: isThrottled(error),
          retryable: isRetryable(error),
        };
      }
    };

    it('maps 410, 413, 429 and 403 to the same exceptions and the same outcomes', async () => {
      const sdk = new ApiGatewayManagementApiClient({
        endpoint: standIn.endpoint,
        region,
        credentials,
        maxAttempts: 1,
      });
      const viaSdk = sdkPoster(sdk);
      const lean = new SignedPoster({
        endpoint: standIn.endpoint,
        region: async () => region,
        credentials: async () => credentials,
        maxSockets: 2,
      });
      const cases: Array<[string, Uint8Array<ArrayBuffer> | undefined]> = [
        [outcomes.gone, undefined],
        [outcomes.throttled, undefined],
        [outcomes.forbidden, undefined],
        ['big=', new Uint8Array(65)],
        ['fine=', undefined],
      ];
      for (const [id, data] of cases) {
        const expected = await failureOf((c, d) => viaSdk.post(c, d), id, data);
        const actual = await failureOf((c, d) => lean.post(c, d), id, data);
        expect(actual, id).toEqual(expected);
      }
      expect((await failureOf((c, d) => lean.post(c, d), outcomes.gone))?.name).toBe('GoneException');
      expect(await failureOf((c, d) => lean.post(c, d), outcomes.throttled)).toMatchObject({
        name: 'LimitExceededException',
        status: 429,
        throttled: true,
        retryable: true,
      });
      sdk.destroy();
      lean.destroy();
    });
  });
});
