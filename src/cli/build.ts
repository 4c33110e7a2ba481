/**
 * Compiles the bot to plain JavaScript (src/build/dist.ts).
 *   npm run build [-- --out-dir DIR]      (default: dist/)
 * Exit codes: 0 built; 1 the build failed; 2 usage error, or DIR is not a build folder.
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildDist, NotABuildFolder } from "../build/dist.ts";

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let outDir: string | undefined;
  try {
    outDir = parseArgs({ args: argv, options: { "out-dir": { type: "string" } } }).values["out-dir"];
  } catch (e) {
    err.write(`build: ${(e as Error).message}\nusage: npm run build [-- --out-dir DIR]\n`);
    return 2;
  }
  try {
    const r = await buildDist(outDir);
    const rel = relative(process.cwd(), r.outDir);
    const shown = rel === "" ? "." : rel.startsWith("..") ? r.outDir : rel;
    out.write(`built ${shown}/ (${r.files} JavaScript files) in ${(r.ms / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (e) {
    err.write(`build: ${(e as Error).message}\n`);
    return e instanceof NotABuildFolder ? 2 : 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
