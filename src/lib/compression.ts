import { promisify } from "node:util";
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from "node:zlib";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";

/**
 * Below this size an answer is compressed on the event loop: a few kilobytes take tens of
 * microseconds, less than the round trip to libuv's thread pool and back, which on a busy
 * machine is where a warm call's latency went. Larger answers still go to the pool.
 */
const SYNC_BELOW_BYTES = 64 * 1024;
/** gzip level 1 and brotli quality 4: most of the size gain of the defaults (6 and 11) at a fraction of the CPU. */
const GZIP_OPTIONS = { level: 1 };
const BROTLI_OPTIONS = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * The gateway's answer compression: the same encodings Connect negotiates by default
 * (gzip, br; same Content-Encoding on the wire), cheaper to produce. Request bodies are
 * decompressed by connect-node's own implementations, with their size limits.
 */
export const answerCompression: Compression[] = [
  {
    name: compressionGzip.name,
    compress: (bytes) =>
      compress(
        bytes,
        (b) => gzipSync(b, GZIP_OPTIONS),
        (b) => gzipAsync(b, GZIP_OPTIONS),
      ),
    decompress: (bytes, readMaxBytes) => compressionGzip.decompress(bytes, readMaxBytes),
  },
  {
    name: compressionBrotli.name,
    compress: (bytes) =>
      compress(
        bytes,
        (b) => brotliCompressSync(b, BROTLI_OPTIONS),
        (b) => brotliAsync(b, BROTLI_OPTIONS),
      ),
    decompress: (bytes, readMaxBytes) => compressionBrotli.decompress(bytes, readMaxBytes),
  },
];

async function compress(
  bytes: Uint8Array,
  now: (bytes: Uint8Array) => Buffer,
  later: (bytes: Uint8Array) => Promise<Buffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const compressed = bytes.byteLength < SYNC_BELOW_BYTES ? now(bytes) : await later(bytes);
  // Connect wants a plain ArrayBuffer behind the bytes (not a SharedArrayBuffer).
  return compressed.buffer instanceof ArrayBuffer ? (compressed as Uint8Array<ArrayBuffer>) : new Uint8Array(compressed);
}
