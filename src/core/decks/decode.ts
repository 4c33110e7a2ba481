/** Turns the bytes of a deck file into text, refusing binary and non-UTF-8 input with a clear reason. */

export type DecodeResult = { ok: true; text: string } | { ok: false; reason: string };

/** Offset of the first byte that is not part of well-formed UTF-8, or -1 when all of it is. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

export function decodeDeckBytes(bytes: Uint8Array): DecodeResult {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, reason: "the file is UTF-16 text; save it as UTF-8 and try again" };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      ok: false,
      reason: `the file looks binary (a NUL byte at offset ${nul}, line ${lineAt(bytes, nul)}); a deck must be a UTF-8 text file`,
    };
  }
  // The native decoder checks a whole file in a few milliseconds; the JS scan only runs to name the bad byte.
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    // not valid UTF-8: find where, below
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    return {
      ok: false,
      reason: `the file is not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, "0")} at offset ${bad}, line ${lineAt(bytes, bad)}); save it as UTF-8 and try again`,
    };
  }
  return { ok: true, text: new TextDecoder("utf-8").decode(bytes) };
}
