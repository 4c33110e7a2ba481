/**
 * Whether a build is the sources' current one: `npm run build` records a digest of everything it is made of
 * (the .ts it compiles, the migrations it copies) in build-info.json, and `npm start` (scripts/start.mjs) runs the
 * build only when the sources still give that digest. A digest of contents, not of times: a checkout, a copy or
 * `touch` that changes no byte keeps the build; any changed, added or removed file makes it stale.
 *
 * scripts/start.mjs imports this module from the build itself, so both sides of the comparison always use one
 * version of the digest (and a change to this file changes the digest).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** What a build is made of (repository-relative folders). */
export const BUILT_FROM = ["src", "commands", "drizzle"] as const;
export const BUILD_INFO = "build-info.json";

export interface BuildInfo {
  /** sourceFingerprint of the sources built. */
  fingerprint: string;
  builtAt: string;
  /** The Node version that built it (esbuild targets node20 whatever it is). */
  node: string;
}

/** SHA-256 over every file under BUILT_FROM: its path and its bytes, in sorted order. */
export function sourceFingerprint(root: string): string {
  const hash = createHash("sha256");
  const files = BUILT_FROM.flatMap((dir) =>
    (readdirSync(join(root, dir), { recursive: true }) as string[])
      .map((f) => join(dir, f))
      .filter((f) => statSync(join(root, f)).isFile()),
  ).sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

export function readBuildInfo(buildDir: string): BuildInfo | null {
  try {
    const info = JSON.parse(readFileSync(join(buildDir, BUILD_INFO), "utf8")) as Partial<BuildInfo>;
    return typeof info.fingerprint === "string" ? (info as BuildInfo) : null;
  } catch {
    return null;
  }
}

/** Whether `buildDir` holds a build of `root`'s sources as they are now. */
export function isFresh(buildDir: string, root: string): boolean {
  const info = readBuildInfo(buildDir);
  return info !== null && info.fingerprint === sourceFingerprint(root);
}
