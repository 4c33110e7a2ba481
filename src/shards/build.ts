/**
 * The shard processes run JavaScript, not TypeScript through tsx: on Node 20 tsx's loader hooks run on a thread of
 * their own (a second V8 heap), ~35 MB of every process's RSS. A manager started from the TypeScript sources
 * compiles them once per start (src/build/compile.ts) and forks the shards on that with plain `node`. Compiled at
 * every start, so a shard never runs older code than the manager. (A manager started from `npm run build`'s
 * output is JavaScript already: it forks the shard entry beside it, manager.ts.)
 *
 * Each start compiles into a new folder of the system's temporary directory (two managers on one machine, or in
 * two containers sharing one checkout, never replace each other's code, and the checkout may be read-only),
 * removed when it stops. It mirrors the repository (`src/…`, `commands/…`); the folders the code finds next to
 * itself (`drizzle/` migrations, `decks/`) and `node_modules/` are linked in, and a package.json says ESM.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compile, ROOT } from "../build/compile.ts";

export { ROOT };

/** Folders outside the sources that code finds relative to its own file, and the packages. */
const LINKED = ["drizzle", "decks", "node_modules"];

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
    await compile(dir, folders);
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
