import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeDeckBytes, firstInvalidUtf8 } from "../../src/core/decks/decode.ts";

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe("decodeDeckBytes", () => {
  it("agrees with a strict UTF-8 decoder on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        let strictOk = true;
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(b);
        } catch {
          strictOk = false;
        }
        expect(firstInvalidUtf8(b) === -1).toBe(strictOk);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts UTF-8 text, names the line of a bad byte, refuses NUL and UTF-16", () => {
    expect(decodeDeckBytes(new TextEncoder().encode("id: x\nβ 🎉"))).toEqual({
      ok: true,
      text: "id: x\nβ 🎉",
    });
    expect(decodeDeckBytes(bytes(0x61, 0x0a, 0x62, 0xe9, 0x0a))).toEqual({
      ok: false,
      reason: expect.stringContaining("not valid UTF-8 (byte 0xe9 at offset 3, line 2)"),
    });
    expect(decodeDeckBytes(bytes(0x61, 0x00))).toEqual({
      ok: false,
      reason: expect.stringContaining("binary"),
    });
    expect(decodeDeckBytes(bytes(0xff, 0xfe, 0x61, 0x00))).toEqual({
      ok: false,
      reason: expect.stringContaining("UTF-16"),
    });
    expect(firstInvalidUtf8(bytes(0xed, 0xa0, 0x80))).toBe(0); // an encoded surrogate
    expect(firstInvalidUtf8(bytes(0xc0, 0xaf))).toBe(0); // an overlong form
  });
});
