/**
 * `npm start` (plain JavaScript: it must run before any build). Runs `npm run build`'s output with plain node when
 * it is the sources' current build (src/build/fingerprint.ts, imported from the build itself), else the
 * TypeScript sources through tsx's loader, registered in this same process (no wrapper process between a
 * SIGTERM and the bot's own handler). Prints nothing of its own: what the bot says is all there is.
 *
 *   node scripts/start.mjs [BUILD_DIR]      (default: dist/ beside scripts/)
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const buildDir = resolve(process.argv[2] ?? join(root, "dist"));

async function buildIsCurrent() {
  const fingerprint = join(buildDir, "src/build/fingerprint.js");
  if (!existsSync(fingerprint) || !existsSync(join(buildDir, "src/index.js"))) return false;
  try {
    const { isFresh } = await import(pathToFileURL(fingerprint).href);
    return isFresh(buildDir, root);
  } catch {
    return false; // a damaged build: the sources run instead
  }
}

if (await buildIsCurrent()) {
  // Stack traces name the .ts lines, here and in any shard process the manager forks (they inherit NODE_OPTIONS).
  process.setSourceMapsEnabled(true);
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --enable-source-maps`.trim();
  await import(pathToFileURL(join(buildDir, "src/index.js")).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "src/index.ts")).href);
}
