/**
 * The shard processes run JavaScript, not TypeScript through tsx: on Node 20 tsx's loader hooks run on a thread of
 * their own (a second V8 heap), ~35 MB of every process's RSS. The manager compiles the sources once per start
 * with esbuild (the compiler tsx itself uses, so the code is the same) file by file, each relative import kept as
 * an import of the compiled sibling, and forks the shards on that with plain `node`. Compiled at every start, so a
 * shard never runs older code than the manager.
 *
 * Each start compiles into a new folder of the system's temporary directory (two managers on one machine, or in
 * two containers sharing one checkout, never replace each other's code, and the checkout may be read-only),
 * removed when it stops. It mirrors the repository (`src/…`, `commands/…`); the folders the code finds next to
 * itself (`drizzle/` migrations, `decks/`) and `node_modules/` are linked in, and a package.json says ESM.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

export const ROOT = resolve(import.meta.dirname, "../..");
/** Folders outside the sources that code finds relative to its own file, and the packages. */
const LINKED = ["drizzle", "decks", "node_modules"];

/** Relative imports stay imports (of the sibling's .js); packages and Node's modules stay external too. */
const keepRelativeImports: Plugin = {
  name: "keep-relative-imports",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => ({
      path: args.path.replace(/\.ts$/, ".js"),
      external: true,
    }));
  },
};

function typeScriptFiles(dir: string): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(ROOT, dir, f));
}

export interface NodeBuild {
  /** The compiled folder. */
  dir: string;
  /** The compiled `entry`. */
  entry: string;
  /** Removes the compiled folder. */
  remove(): void;
}

/** Compiles `folders` (repository-relative) into a new folder; `entry` (repository-relative, .ts) is one of them. */
export async function buildForNode(
  entry: string,
  folders: string[] = ["src", "commands"],
): Promise<NodeBuild> {
  const dir = mkdtempSync(join(tmpdir(), "study-companion-build-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await build({
      entryPoints: folders.flatMap(typeScriptFiles),
      outdir: dir,
      outbase: ROOT,
      bundle: true, // needed for onResolve; every import is external, so each file compiles on its own
      packages: "external",
      plugins: [keepRelativeImports],
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "error",
    });
    for (const name of LINKED) symlinkSync(join(ROOT, name), join(dir, name), "dir");
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    const compiled = join(dir, entry.replace(/\.ts$/, ".js"));
    if (!existsSync(compiled))
      throw new Error(`${entry} is not among the compiled folders (${folders.join(", ")})`);
    return { dir, entry: compiled, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/**
 * The Node flags that run a TypeScript entry point with tsx's loader in the process itself (tests and the sandbox
 * start the bot so): unlike the `tsx` command, no wrapper process stands between a SIGTERM and the bot's own
 * handler (the wrapper relays it, and kills the child with exit 143 when the child has not acknowledged it within
 * 30 ms, which a loaded machine misses). An absolute URL: the child's working folder need not hold node_modules.
 */
export const TSX_LOADER_FLAGS: readonly string[] = [
  "--import",
  pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href,
];

/** This process's Node flags without tsx's loader (`--import tsx`, `--loader tsx`…), for a compiled child. */
export function withoutTsx(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    const next = execArgv[i + 1];
    if ((a === "--import" || a === "--loader" || a === "--require" || a === "-r") && next?.includes("tsx"))
      i++;
    else if (!/^--(import|loader|require|experimental-loader)=.*tsx/.test(a)) out.push(a);
  }
  return out;
}
