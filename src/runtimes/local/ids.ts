import { randomFillSync } from 'node:crypto';

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
