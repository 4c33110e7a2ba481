/**
 * The one TypeScript → JavaScript compile of the bot: esbuild (the compiler tsx itself uses, so the code is the
 * same as `tsx` runs), file by file, each relative import kept as an import of the compiled sibling (`./x.ts` →
 * `./x.js`), packages left to node_modules. `npm run build` (dist.ts) and the shard manager's per-start build
 * (src/shards/build.ts) both compile through it. No type check: that is `npm run typecheck`.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, type Plugin } from "esbuild";

/** The repository: where the sources are. */
export const ROOT = resolve(import.meta.dirname, "../..");

/** Relative imports stay imports (of the sibling's .js); packages and Node's modules stay external too. */
const keepRelativeImports: Plugin = {
  name: "keep-relative-imports",
  setup(b) {
    // JSON (the i18n catalogs) is inlined into the module that imports it: esbuild would drop the import's
    // `with { type: "json" }`, without which node refuses the file.
    b.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.path.endsWith(".json") ? undefined : { path: args.path.replace(/\.ts$/, ".js"), external: true },
    );
  },
};

function typeScriptFiles(dir: string): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(ROOT, dir, f));
}

/**
 * Compiles every .ts of `folders` (repository-relative) into `outDir`, mirroring the repository (`src/…`,
 * `commands/…`). `sourcemap`: a .js.map beside each file, for `--enable-source-maps` stack traces.
 */
export async function compile(outDir: string, folders: readonly string[], sourcemap = false): Promise<void> {
  await build({
    entryPoints: folders.flatMap(typeScriptFiles),
    outdir: outDir,
    outbase: ROOT,
    bundle: true, // needed for onResolve; every import is external, so each file compiles on its own
    packages: "external",
    plugins: [keepRelativeImports],
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap,
    logLevel: "error",
  });
}
