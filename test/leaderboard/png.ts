/** Reads a PNG's signature and IHDR chunk: width and height as big-endian 32-bit integers. Throws when not a PNG. */
export function pngSize(png: Buffer | Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 24 || signature.some((v, i) => b[i] !== v)) throw new Error("not a PNG (bad signature)");
  if (b.subarray(12, 16).toString("ascii") !== "IHDR") throw new Error("not a PNG (no IHDR first)");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
