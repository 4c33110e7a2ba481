/**
 * An Anki package's zip (.apkg, .colpkg) unpacked under caps, so a hostile file is refused early and in bounded
 * memory: at most PACKAGE_LIMITS.entries entries, and only the collection is inflated, never past
 * PACKAGE_LIMITS.collectionBytes (counted while inflating: a zip bomb's declared sizes may lie). The collection:
 * `collection.anki21b` (Anki 23.10+: zstd-compressed), else `collection.anki21`, else `collection.anki2` (a newer
 * package also carries an old-format stub for old Anki versions, which is why the newest one wins). fflate reads
 * the zip, fzstd the zstd frames.
 */
import { Unzip, UnzipInflate, UnzipPassThrough } from "fflate";
import { Decompress } from "fzstd";

export const PACKAGE_LIMITS = {
  /** The package file itself (Discord's attachment limit for bots without boosts). */
  bytes: 10 * 1024 * 1024,
  /** Zip entries: the collection, its media map and meta, and one per media file. */
  entries: 2_000,
  /** The collection once unpacked (decompressed). */
  collectionBytes: 64 * 1024 * 1024,
} as const;

/** A package the import refuses: the reason says what is wrong with it, for the member. */
export class PackageError extends Error {
  override name = "PackageError";
}

const COLLECTIONS = ["collection.anki21b", "collection.anki21", "collection.anki2"] as const;
export type CollectionEntry = (typeof COLLECTIONS)[number];

export interface UnpackedPackage {
  entry: CollectionEntry;
  /** The collection's SQLite bytes (decompressed). */
  collection: Uint8Array;
  /** Names of the zip's entries. */
  entries: string[];
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Whether the bytes start as a zip does (an empty zip's end record alone is no package either). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, k) => bytes[k] === b);
}

const mib = (n: number) => `${Math.round(n / (1024 * 1024))} MiB`;

/** Inflates the zip's entries we need, counting as it goes; throws PackageError on anything it refuses. */
export function unpackPackage(bytes: Uint8Array): UnpackedPackage {
  if (!looksLikeZip(bytes))
    throw new PackageError("it is not a zip file, which an Anki package (.apkg or .colpkg) is");
  const entries: string[] = [];
  const kept = new Map<string, Uint8Array[]>();
  let inflated = 0;
  /** The cap that stopped the inflating: reported as itself, not as the error fflate raises after it. */
  let stopped: PackageError | null = null;
  const unzip = new Unzip((file) => {
    entries.push(file.name);
    if (entries.length > PACKAGE_LIMITS.entries)
      throw new PackageError(`it holds more than ${PACKAGE_LIMITS.entries.toLocaleString("en-US")} files`);
    if (!(COLLECTIONS as readonly string[]).includes(file.name)) return; // media are not read here
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
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    unzip.push(bytes, true);
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
  const collection = entry === "collection.anki21b" ? unzstd(raw, PACKAGE_LIMITS.collectionBytes) : raw;
  return { entry, collection, entries };
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

/** A zstd stream decompressed, refused past `max` bytes (counted while decompressing). */
export function unzstd(data: Uint8Array, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const d = new Decompress((chunk) => {
    total += chunk.length;
    if (total > max) throw new PackageError(`its collection unpacks to more than ${mib(max)}`);
    chunks.push(chunk);
  });
  try {
    d.push(data, true);
  } catch (err) {
    if (err instanceof PackageError) throw err;
    throw new PackageError(`its collection is not valid zstd data (${(err as Error).message})`);
  }
  return concat(chunks);
}
