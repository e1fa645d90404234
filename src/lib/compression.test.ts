import { randomBytes } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { answerCompression } from "./compression.js";

const decoders: Record<string, (bytes: Uint8Array) => Buffer> = { gzip: gunzipSync, br: brotliDecompressSync };
// Compressible text, like a pipeline's JSON or protobuf: small (on the event loop) and large (thread pool).
const payload = (bytes: number) => new TextEncoder().encode(JSON.stringify({ runs: "x".repeat(bytes) }).slice(0, bytes));

describe("answer compression", () => {
  it("offers the encodings Connect negotiates by default, in its order", () => {
    expect(answerCompression.map((c) => c.name)).toEqual(["gzip", "br"]);
  });

  for (const compression of answerCompression) {
    for (const size of [2_000, 200_000]) {
      it(`${compression.name}: a ${size}-byte answer is smaller and standard ${compression.name} (any client decodes it)`, async () => {
        const original = payload(size);
        const compressed = await compression.compress(original);
        expect(compressed.byteLength).toBeLessThan(original.byteLength / 4);
        expect(compressed.buffer).toBeInstanceOf(ArrayBuffer);
        expect(new Uint8Array(decoders[compression.name]?.(compressed) ?? [])).toEqual(original);
        expect(new Uint8Array(await compression.decompress(compressed, size))).toEqual(original);
      });
    }

    it(`${compression.name}: a request body larger than the limit once decompressed is RESOURCE_EXHAUSTED`, async () => {
      const compressed = await compression.compress(randomBytes(4_000));
      const failure = await compression.decompress(compressed, 1_000).then(
        () => undefined,
        (error: unknown) => ConnectError.from(error),
      );
      expect(failure?.code).toBe(Code.ResourceExhausted);
    });
  }
});
