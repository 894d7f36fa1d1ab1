/**
 * The `message` frame's serializers live in the protocol (protocol/serialize.ts); the broker's modules import
 * them through this name. (Merge of broker-split-ready and protocol-ready in the hooks branch: one
 * implementation.)
 */
export {
  LARGEST_POSITION,
  messageFrameJson as messageFrame,
  serializeMessage,
} from '../../protocol/index.ts';
