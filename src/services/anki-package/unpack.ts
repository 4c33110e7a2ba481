/**
 * An Anki package's zip (.apkg, .colpkg) unpacked under caps, so a hostile file is refused early and in bounded
 * memory: at most PACKAGE_LIMITS.entries entries, and only the collection is inflated, never past
 * PACKAGE_LIMITS.collectionBytes (counted while inflating, the zip handed over in small slices: a zip bomb's
 * declared sizes may lie; a zstd frame's cost is checked before it is decoded, checkZstdCost). The collection:
 * `collection.anki21b` (Anki 23.10+: zstd-compressed), else `collection.anki21`, else `collection.anki2` (a newer
 * package also carries an old-format stub for old Anki versions, which is why the newest one wins). fflate reads
 * the zip, fzstd the zstd frames.
 *
 * Media: the `media` map (JSON `{"0": "name.png"}`, or in an .anki21b package zstd-compressed protobuf
 * MediaEntries) names the numbered entries. Which of them the cards use is known only once the collection is read,
 * so every media entry is inflated, each kept up to PACKAGE_LIMITS.mediaEntryBytes (past it only marked too
 * large) and all of them together refused past PACKAGE_LIMITS.mediaBytes (a bomb hidden among the media).
 */
import { Unzip, type UnzipFile, UnzipInflate, UnzipPassThrough } from "fflate";
import { Decompress } from "fzstd";
import protobuf from "protobufjs/minimal.js";

export const PACKAGE_LIMITS = {
  /** The package file itself (Discord's attachment limit for bots without boosts). */
  bytes: 10 * 1024 * 1024,
  /** Zip entries: the collection, its media map and meta, and one per media file. */
  entries: 2_000,
  /** The collection once unpacked (decompressed). */
  collectionBytes: 64 * 1024 * 1024,
  /** All media entries once inflated (sounds included): a 10 MiB package of images and sounds stays far below. */
  mediaBytes: 32 * 1024 * 1024,
  /** One media entry kept for reading (an image over it is dropped: decks/FORMAT.md's per-image cap is 1 MiB). */
  mediaEntryBytes: 1024 * 1024 + 64 * 1024,
  /** The media map itself. */
  mediaMapBytes: 1024 * 1024,
} as const;

/** A package the import refuses: the reason says what is wrong with it, for the member. */
export class PackageError extends Error {
  override name = "PackageError";
}

/** Data that unpacks past its cap: refuses a collection, drops a media file. */
class OverCap extends PackageError {}

const COLLECTIONS = ["collection.anki21b", "collection.anki21", "collection.anki2"] as const;
export type CollectionEntry = (typeof COLLECTIONS)[number];

export interface UnpackedPackage {
  entry: CollectionEntry;
  /** The collection's SQLite bytes (decompressed). */
  collection: Uint8Array;
  /** Names of the zip's entries. */
  entries: string[];
  /**
   * A media file by the name the cards use: its bytes (an .anki21b package's still zstd-compressed: see
   * `mediaBytes`), or "too large" past PACKAGE_LIMITS.mediaEntryBytes. A name the map lists without an entry is
   * absent.
   */
  media: Map<string, Uint8Array | "too large">;
  /** The zstd budget the collection and map left for the images read later (mediaBytes). */
  budget: ZstdBudget;
}

/** A media file's own bytes: an .anki21b package compresses each with zstd; `max` caps what it unpacks to. */
export function mediaBytes(
  pkg: UnpackedPackage,
  stored: Uint8Array,
  max: number,
  name: string,
): Uint8Array | "too large" {
  if (pkg.entry !== "collection.anki21b") return stored.length > max ? "too large" : stored;
  try {
    return unzstd(stored, max, `its media file \`${name}\``, pkg.budget);
  } catch (err) {
    if (err instanceof OverCap) return "too large";
    throw err;
  }
}

const MEDIA_ENTRY = /^\d{1,9}$/;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Whether the bytes start as a zip does (an empty zip's end record alone is no package either). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, k) => bytes[k] === b);
}

const mib = (n: number) => `${Math.round(n / (1024 * 1024))} MiB`;

/** What the zip reader is handed at a time: at most ~16 MiB of inflated zeros come of it (deflate's ~1,032:1). */
const PUSH_BYTES = 16 * 1024;

/** Inflates the zip's entries we need, counting as it goes; throws PackageError on anything it refuses. */
export function unpackPackage(bytes: Uint8Array): UnpackedPackage {
  if (!looksLikeZip(bytes))
    throw new PackageError("it is not a zip file, which an Anki package (.apkg or .colpkg) is");
  const entries: string[] = [];
  const kept = new Map<string, Uint8Array[]>();
  const media = new Map<string, { chunks: Uint8Array[]; size: number; tooLarge: boolean }>();
  let inflated = 0;
  let mediaInflated = 0;
  /** The cap that stopped the inflating: reported as itself, not as the error fflate raises after it. */
  let stopped: PackageError | null = null;
  const unzip = new Unzip((file) => {
    entries.push(file.name);
    if (entries.length > PACKAGE_LIMITS.entries)
      throw new PackageError(`it holds more than ${PACKAGE_LIMITS.entries.toLocaleString("en-US")} files`);
    if (file.name === "media" || MEDIA_ENTRY.test(file.name)) return readMedia(file);
    if (!(COLLECTIONS as readonly string[]).includes(file.name)) return; // `meta` and anything else: not read
    const chunks: Uint8Array[] = [];
    kept.set(file.name, chunks);
    file.ondata = (err, chunk) => {
      if (err) throw stopped ?? new PackageError(`its \`${file.name}\` is damaged (${err.message})`);
      inflated += chunk.length;
      if (inflated > PACKAGE_LIMITS.collectionBytes) {
        stopped = new PackageError(
          `its collection unpacks to more than ${mib(PACKAGE_LIMITS.collectionBytes)}`,
        );
        file.terminate();
        throw stopped;
      }
      chunks.push(chunk);
    };
    file.start();
  });
  /** A media entry (or the map), counted against the media cap; kept up to its own cap. */
  function readMedia(file: UnzipFile): void {
    const limit = file.name === "media" ? PACKAGE_LIMITS.mediaMapBytes : PACKAGE_LIMITS.mediaEntryBytes;
    const entry = { chunks: [] as Uint8Array[], size: 0, tooLarge: false };
    media.set(file.name, entry);
    file.ondata = (err, chunk) => {
      if (err)
        throw stopped ?? new PackageError(`its media file \`${file.name}\` is damaged (${err.message})`);
      mediaInflated += chunk.length;
      if (mediaInflated > PACKAGE_LIMITS.mediaBytes) {
        stopped = new PackageError(`its media unpack to more than ${mib(PACKAGE_LIMITS.mediaBytes)}`);
        file.terminate();
        throw stopped;
      }
      if (entry.tooLarge) return;
      entry.size += chunk.length;
      if (entry.size > limit) {
        entry.tooLarge = true;
        entry.chunks = [];
      } else entry.chunks.push(chunk);
    };
    file.start();
  }
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    // In small slices: fflate inflates all it is handed before it reports a byte, so a whole bomb in one push
    // would be inflated (gigabytes) before the cap could stop it.
    for (let at = 0; at < bytes.length; at += PUSH_BYTES)
      unzip.push(bytes.subarray(at, at + PUSH_BYTES), at + PUSH_BYTES >= bytes.length);
  } catch (err) {
    if (stopped) throw stopped;
    if (err instanceof PackageError) throw err;
    throw new PackageError(`the zip could not be read (${(err as Error).message})`);
  }
  const entry = COLLECTIONS.find((name) => kept.has(name));
  if (!entry)
    throw new PackageError(
      "it has no Anki collection inside (`collection.anki21b`, `collection.anki21` or `collection.anki2`)",
    );
  const raw = concat(kept.get(entry) ?? []);
  const budget = new ZstdBudget();
  const collection =
    entry === "collection.anki21b"
      ? unzstd(raw, PACKAGE_LIMITS.collectionBytes, "its collection", budget)
      : raw;
  const map = media.get("media");
  if (map?.tooLarge) throw new PackageError(`its media map is over ${mib(PACKAGE_LIMITS.mediaMapBytes)}`);
  const names = map === undefined ? new Map<string, string>() : mediaMap(entry, concat(map.chunks), budget);
  const files = new Map<string, Uint8Array | "too large">();
  for (const [zipName, name] of names) {
    const m = media.get(zipName);
    if (m !== undefined) files.set(name, m.tooLarge ? "too large" : concat(m.chunks));
  }
  return { entry, collection, entries, media: files, budget };
}

/** The media map: zip entry name → the file name the cards use. */
function mediaMap(entry: CollectionEntry, bytes: Uint8Array, budget: ZstdBudget): Map<string, string> {
  const out = new Map<string, string>();
  if (entry !== "collection.anki21b") {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes) || "{}");
    } catch {
      throw new PackageError("its media map is not valid JSON");
    }
    if (typeof json !== "object" || json === null || Array.isArray(json))
      throw new PackageError("its media map is not a JSON object");
    for (const [zipName, name] of Object.entries(json)) if (typeof name === "string") out.set(zipName, name);
    return out;
  }
  // MediaEntries { repeated MediaEntry entries = 1 }, MediaEntry { name = 1, size = 2, sha1 = 3,
  // legacy_zip_filename = 255 }: an entry's zip name is its legacy name when set, else its index in the list.
  const decoded = unzstd(bytes, PACKAGE_LIMITS.mediaMapBytes, "its media map", budget);
  try {
    const r = protobuf.Reader.create(decoded);
    let index = 0;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
        r.skipType(tag & 7);
        continue;
      }
      const m = protobuf.Reader.create(r.bytes());
      let name = "";
      let legacy: number | null = null;
      while (m.pos < m.len) {
        const t = m.uint32();
        if (t >>> 3 === 1 && (t & 7) === 2) name = m.string();
        else if (t >>> 3 === 255 && (t & 7) === 0) legacy = m.uint32();
        else m.skipType(t & 7);
      }
      out.set(String(legacy ?? index), name);
      index++;
    }
  } catch (err) {
    throw new PackageError(`its media map is damaged (${(err as Error).message})`);
  }
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * fzstd's work grows with each block times the frame's window (it slides the whole window per block): a frame of
 * 10,000 one-byte blocks declaring a 64 MiB window took 31 s, 600 of them 3.2 s. So the frames are read first,
 * headers and block headers only, and refused when a window is over `max` or blocks × window passes a budget (in
 * block·MiB) that the whole package shares — its collection, media map and every image — so that many small
 * frames cannot each spend a budget of their own (40 slow images took 42 s). A real collection is far inside it:
 * Anki compresses with zstd's default level (a 2 MiB window), 64 MiB in 128 KiB blocks being 512 × 2 = 1,024; an
 * image's frame costs about one per block.
 */
export const ZSTD_BUDGET = 16_000;

/** What is left of a package's zstd budget (ZSTD_BUDGET), spent by each frame checked. */
export class ZstdBudget {
  left = ZSTD_BUDGET;
}

/** Walks a zstd stream's frames and blocks without decoding them; throws PackageError when it would cost too much. */
export function checkZstdCost(
  data: Uint8Array,
  max: number,
  what = "its collection",
  budget: ZstdBudget = new ZstdBudget(),
): void {
  const bad = (why: string) => new PackageError(`${what} is not valid zstd data (${why})`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  let cost = 0;
  while (at < data.length) {
    if (at + 8 > data.length) throw bad("a truncated frame");
    const magic = view.getUint32(at, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      at += 8 + view.getUint32(at + 4, true); // a skippable frame
      continue;
    }
    if (magic !== 0xfd2fb528) throw bad("no frame magic");
    const fhd = data[at + 4] ?? 0;
    at += 5;
    const single = (fhd >> 5) & 1;
    let window = 0;
    if (!single) {
      const wd = data[at++] ?? 0;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    at += [0, 1, 2, 4][fhd & 3] ?? 0;
    const fcsBytes = [single ? 1 : 0, 2, 4, 8][fhd >> 6] ?? 0;
    let fcs = 0;
    for (let k = fcsBytes - 1; k >= 0; k--) fcs = fcs * 256 + (data[at + k] ?? 0);
    if (fcsBytes === 2) fcs += 256;
    at += fcsBytes;
    if (single) window = fcs;
    if (window > max) throw new OverCap(`${what} unpacks to more than ${mib(max)}`);
    for (let last = 0; !last; ) {
      if (at + 3 > data.length) throw bad("a truncated block");
      const h = (data[at] ?? 0) | ((data[at + 1] ?? 0) << 8) | ((data[at + 2] ?? 0) << 16);
      last = h & 1;
      const type = (h >> 1) & 3;
      if (type === 3) throw bad("a reserved block type");
      at += 3 + (type === 1 ? 1 : h >>> 3);
      cost += Math.max(1, window / (1024 * 1024));
      if (cost > budget.left)
        throw new PackageError(`${what}'s zstd data is built to take minutes to unpack`);
    }
    if ((fhd >> 2) & 1) at += 4;
  }
  budget.left -= cost;
}

/** A zstd stream decompressed, refused past `max` bytes (counted while decompressing); `what` names it. */
export function unzstd(
  data: Uint8Array,
  max: number,
  what = "its collection",
  budget: ZstdBudget = new ZstdBudget(),
): Uint8Array {
  checkZstdCost(data, max, what, budget);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const d = new Decompress((chunk) => {
    total += chunk.length;
    if (total > max) throw new OverCap(`${what} unpacks to more than ${mib(max)}`);
    chunks.push(chunk);
  });
  try {
    d.push(data, true);
  } catch (err) {
    if (err instanceof PackageError) throw err;
    throw new PackageError(`${what} is not valid zstd data (${(err as Error).message})`);
  }
  return concat(chunks);
}
