/**
 * `npm run build`: the bot as plain JavaScript that `node` runs without tsx or esbuild — `dist/` by default:
 *
 *   dist/src/…, dist/commands/…   compiled (compile.ts), with source maps (`node --enable-source-maps`)
 *   dist/drizzle/                 the migrations, copied: the code finds them beside itself (src/db/{sqlite,pg}/open.ts)
 *   dist/package.json             says ESM; packages resolve from the repository's node_modules (dist/ is in it)
 *   dist/build-info.json          written last: the sources' digest (fingerprint.ts), so `npm start` knows it is current
 *
 * A folder outside the repository (tests) gets a link to node_modules too. The decks are not part of it: DECKS_DIR
 * is read from the working directory, as with tsx.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { compile, ROOT } from "./compile.ts";
import { BUILD_INFO, type BuildInfo, sourceFingerprint } from "./fingerprint.ts";

export const DEFAULT_OUT_DIR = join(ROOT, "dist");

/** The folder is not empty and not a build: refused rather than emptied. */
export class NotABuildFolder extends Error {}

export interface DistReport {
  outDir: string;
  files: number;
  ms: number;
}

const inside = (dir: string, parent: string) => {
  const rel = relative(parent, dir);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/");
};

export async function buildDist(outDir: string = DEFAULT_OUT_DIR): Promise<DistReport> {
  const t0 = performance.now();
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, BUILD_INFO)))
    throw new NotABuildFolder(`${out} holds files and no ${BUILD_INFO}: not a build folder, left as it is`);
  // Taken before compiling: a source saved during the build makes the build stale, never falsely current.
  const fingerprint = sourceFingerprint(ROOT);
  rmSync(out, { recursive: true, force: true }); // files of removed sources must not linger
  mkdirSync(out, { recursive: true });
  await compile(out, ["src", "commands"], true);
  cpSync(join(ROOT, "drizzle"), join(out, "drizzle"), { recursive: true });
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  if (!inside(out, ROOT)) symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"), "dir");
  const info: BuildInfo = { fingerprint, builtAt: new Date().toISOString(), node: process.version };
  writeFileSync(join(out, BUILD_INFO), `${JSON.stringify(info, null, 2)}\n`);
  const files = ["src", "commands"]
    .flatMap((d) => readdirSync(join(out, d), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".js")).length;
  return { outDir: out, files, ms: Math.round(performance.now() - t0) };
}
