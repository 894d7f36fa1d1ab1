/**
 * PostToConnection as one SigV4-signed HTTP request on a keep-alive socket: what the SDK's
 * `PostToConnectionCommand` sends, for about a fifth of its CPU (docs/benchmarks.md, aws-fanout). The SDK
 * runs its whole middleware stack (endpoint rules, serde, retry bookkeeping, user agent, logging) around
 * every post, and a fan-out makes thousands of posts per invocation with the same body. This path keeps
 * what a post needs: a SigV4 signature (sigv4.ts: the same canonical request as the SDK's signer for this
 * service, checked against it in tests), the body's SHA-256 computed once per frame instead of once per
 * receiver, the SDK's credential chain (taken from the management client), and the SDK's exception
 * classes for errors, so callers see exactly what the SDK would have thrown (management-errors.ts).
 * test/runtimes/aws/signed-post.test.ts checks the request and signature against the SDK's for identical
 * input, and the error mapping.
 */

import { createHash } from 'node:crypto';
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { SigV4Signer } from './sigv4.ts';

/** Sends one frame's bytes to one connection; rejects with the SDK's exception for that failure. */
export interface Poster {
  post(connectionId: string, data: Uint8Array): Promise<void>;
  destroy(): void;
}

export interface SignedPosterOptions {
  /** The `@connections` endpoint, e.g. `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`. */
  endpoint: string;
  region: Provider<string>;
  credentials: Provider<AwsCredentialIdentity>;
  /** Keep-alive sockets; the gateway's posts in flight, so none waits for a socket. */
  maxSockets: number;
  /** A post with no answer by then fails with a retryable `TimeoutError` (default 5 s). */
  requestTimeoutMs?: number;
  /** Injectable for tests (the signing clock); defaults to the system clock. */
  now?: () => number;
}

/** The request to sign, in the `@smithy/protocol-http` HttpRequest shape the SDK's signer takes. */
export interface UnsignedPost {
  method: 'POST';
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Uint8Array;
}

const EXCEPTIONS = {
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  ForbiddenException,
} as const;

export class SignedPoster implements Poster {
  private readonly url: URL;
  private readonly basePath: string;
  private readonly host: string;
  private readonly region: Provider<string>;
  private readonly credentials: Provider<AwsCredentialIdentity>;
  /** Made once the region is known (the provider is asynchronous). */
  private signer: SigV4Signer | undefined;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly requestTimeoutMs: number;
  private readonly now: () => number;
  /** The body's hash per frame: a send encodes its frame once, so every receiver shares one array. */
  private readonly bodyHashes = new WeakMap<Uint8Array, string>();

  constructor(options: SignedPosterOptions) {
    this.url = new URL(options.endpoint);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    this.host = this.url.host;
    this.region = options.region;
    this.credentials = options.credentials;
    const https = this.url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = https ? httpsRequest : httpRequest;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** The request PostToConnectionCommand would make, before signing (exported for the signature test). */
  unsigned(connectionId: string, data: Uint8Array, bodyHash?: string): UnsignedPost {
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'content-length': String(data.byteLength),
      host: this.host,
    };
    if (bodyHash) headers['x-amz-content-sha256'] = bodyHash;
    return {
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      ...(this.url.port ? { port: Number(this.url.port) } : {}),
      path: `${this.basePath}/@connections/${extendedEncodeURIComponent(connectionId)}`,
      query: {},
      headers,
      body: data,
    };
  }

  /** Signs as the SDK does (every header of the request); `signingDate` fixed by tests. */
  async sign(request: UnsignedPost, signingDate = new Date(this.now())): Promise<UnsignedPost> {
    // The service the SDK signs `@connections` requests for; credentials resolved per post, as the SDK
    // does (its providers memoize and refresh them before they expire).
    this.signer ??= new SigV4Signer('execute-api', await this.region());
    const credentials = await this.credentials();
    const payloadHash =
      request.headers['x-amz-content-sha256'] ?? createHash('sha256').update(request.body).digest('hex');
    const headers = this.signer.sign(
      { method: request.method, path: request.path, headers: request.headers, payloadHash },
      credentials,
      signingDate.getTime(),
    );
    return { ...request, headers };
  }

  async post(connectionId: string, data: Uint8Array): Promise<void> {
    const signed = await this.sign(this.unsigned(connectionId, data, this.bodyHash(data)));
    return new Promise<void>((resolve, reject) => {
      const request: ClientRequest = this.send(
        {
          agent: this.agent,
          method: 'POST',
          protocol: signed.protocol,
          hostname: signed.hostname,
          ...(signed.port === undefined ? {} : { port: signed.port }),
          path: signed.path,
          headers: signed.headers,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            response.resume();
            response.once('end', resolve);
            response.once('error', reject);
            return;
          }
          readBody(response).then((body) => reject(toSdkError(response, status, body)), reject);
        },
      );
      request.setTimeout(this.requestTimeoutMs, () => {
        request.destroy(
          Object.assign(new Error(`no response within ${this.requestTimeoutMs} ms`), {
            name: 'TimeoutError',
          }),
        );
      });
      request.once('error', reject);
      request.end(data);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }

  private bodyHash(data: Uint8Array): string {
    let hash = this.bodyHashes.get(data);
    if (hash === undefined) {
      hash = createHash('sha256').update(data).digest('hex');
      this.bodyHashes.set(data, hash);
    }
    return hash;
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
  });
}

/** The exception the SDK's REST-JSON protocol throws for this answer: by `x-amzn-ErrorType`, as it reads it. */
export function toSdkError(response: IncomingMessage, status: number, body: string): Error {
  const header = response.headers['x-amzn-errortype'];
  // "Type:extra" and "namespace#Type" are both legal; the SDK keeps the bare type name.
  const type = (Array.isArray(header) ? header[0] : header)?.split(':')[0]?.split('#').pop() ?? '';
  let message = '';
  try {
    const parsed = JSON.parse(body) as { message?: unknown; Message?: unknown };
    message = String(parsed.message ?? parsed.Message ?? '');
  } catch {}
  const requestId = response.headers['x-amzn-requestid'];
  const $metadata = {
    httpStatusCode: status,
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
  const known = EXCEPTIONS[type as keyof typeof EXCEPTIONS];
  if (known) return new known({ message: message || type, $metadata });
  const fault = status >= 500 ? 'server' : 'client';
  return new ApiGatewayManagementApiServiceException({
    name: type || (status >= 500 ? 'InternalServerErrorException' : 'UnknownError'),
    $fault: fault,
    $metadata,
    message: message || `HTTP ${status}`,
  });
}
