import { createHash, randomFillSync } from 'node:crypto';

/** API Gateway ids (connection, request, message) are 11 random bytes in standard base64: 16 characters. */
const ID_BYTES = 11;
const POOL_IDS = 256;
const pool = Buffer.allocUnsafe(ID_BYTES * POOL_IDS);
let cursor = POOL_IDS;

/**
 * An id shaped like AWS's, e.g. `L0SM9cOFvHcCIhw=`: it always ends in `=` and often holds `+` or `/`, so
 * code that forgets to URL-encode ids fails locally as it would on AWS. Random bytes are drawn in batches.
 */
export function awsStyleId(): string {
  if (cursor === POOL_IDS) {
    randomFillSync(pool);
    cursor = 0;
  }
  const start = cursor++ * ID_BYTES;
  return pool.toString('base64', start, start + ID_BYTES);
}

/** Bytes of an id that name the server that issued it: base64 turns 3 bytes into exactly 4 characters. */
const MARKER_BYTES = 3;

/**
 * AWS-shaped ids whose first 4 characters name the server that issued them (a digest of `seed`: its host
 * name and port), so it can tell its own connections, open or gone, from those of another server sharing
 * its DynamoDB table. A server restarted on the same port is the same server: it cleans up what its
 * crashed predecessor left behind.
 */
export function instanceIdFactory(seed: string): {
  next: () => string;
  owns: (connectionId: string) => boolean;
} {
  const marker = createHash('sha256').update(seed).digest().subarray(0, MARKER_BYTES);
  const prefix = marker.toString('base64');
  const bytes = Buffer.alloc(ID_BYTES);
  marker.copy(bytes);
  return {
    next: () => {
      randomFillSync(bytes, MARKER_BYTES);
      return bytes.toString('base64');
    },
    owns: (connectionId) => connectionId.startsWith(prefix),
  };
}
