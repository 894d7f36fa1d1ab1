import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublishApi } from '../../core/publish-api/index.ts';

/** `/publish` or `/{stage}/publish`, as the HTTP API route is reached on AWS. */
const PUBLISH_PATH = /^(?:\/[^/]+)?\/publish\/?$/;

/**
 * Serves the publish API on the local server's HTTP port. Returns false for other paths, so the emulator
 * goes on to the management API. The body is read only up to the API's limit; past it the socket is dropped.
 */
export function publishRoute(
  api: PublishApi,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    if (!PUBLISH_PATH.test(path) || path.includes('@connections')) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > api.bodyLimit) {
        tooLarge = true;
        chunks.length = 0;
        // Keep no more of it; answer once what arrived so far is drained.
        if (size > api.bodyLimit * 4) request.socket.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => request.socket.destroy());
    request.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      // An oversize body reaches the API as undefined: it answers 413 (after authenticating the caller).
      const body = tooLarge ? undefined : Buffer.concat(chunks).toString('utf8');
      void api.handle({ method: request.method ?? 'GET', headers, body }).then((result) => {
        response.writeHead(result.statusCode, result.headers).end(result.body);
      });
    });
    return true;
  };
}
