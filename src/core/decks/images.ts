/**
 * The images a card may show (png, jpeg, gif, webp): told apart by their first bytes, never by their name, so a
 * file named `.png` that is not an image is caught before it reaches a Discord message.
 */

export type ImageType = "image/png" | "image/jpeg" | "image/gif" | "image/webp";

/** File name extensions that claim an image we show, and the type each claims. */
const CLAIMS: Record<string, ImageType> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

export const IMAGE_EXTENSION: Record<ImageType, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** The image type a file name claims (by its extension), or null for anything else (sounds, svg, video…). */
export function claimedImageType(name: string): ImageType | null {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1]?.toLowerCase();
  return ext === undefined ? null : (CLAIMS[ext] ?? null);
}

const startsWith = (bytes: Uint8Array, at: number, magic: readonly number[]) =>
  magic.every((b, k) => bytes[at + k] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** What the bytes are, by their signature (PNG, JPEG SOI, GIF87a/89a, RIFF…WEBP), or null when none of these. */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) return "image/webp";
  return null;
}

/** A side's text when it shows only an image (a card needs text on both sides: the quiz and the lists read it). */
export const IMAGE_ONLY_TEXT = "*(see the image)*";
