/**
 * The shard processes run JavaScript, not TypeScript through tsx: on Node 20 tsx's loader hooks run on a thread of
 * their own (a second V8 heap), ~35 MB of every process's RSS. The manager compiles the sources once per start
 * with esbuild (the compiler tsx itself uses, so the code is the same) into `.build/`, file by file, each relative
 * import kept as an import of the compiled sibling, and forks the shards on that with plain `node`. Compiled at
 * every start, so a shard never runs older code than the manager.
 *
 * Each start compiles into a folder of its own, `.build/<pid>/` (two managers on one machine, as two machines'
 * shard groups in the tests, must not replace each other's code), removed when it stops; a folder whose process
 * is gone (killed) is removed by the next start. It mirrors the repository (`src/…`, `commands/…`) two levels
 * deeper: the folders the code finds next to itself (`drizzle/` migrations, `decks/`) are linked in, and packages
 * resolve from the repository's `node_modules/` above.
 */
import { existsSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, type Plugin } from "esbuild";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BUILD_DIR = join(ROOT, ".build");
/** Folders outside the sources that code finds relative to its own file. */
const LINKED = ["drizzle", "decks"];

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
  /** The compiled `entry`. */
  entry: string;
  /** Removes the compiled folder. */
  remove(): void;
}

/** Compiles `folders` (repository-relative) for this process; `entry` (repository-relative, .ts) is one of them. */
export async function buildForNode(
  entry: string,
  folders: string[] = ["src", "commands"],
): Promise<NodeBuild> {
  removeOrphans();
  const dir = join(BUILD_DIR, String(process.pid));
  rmSync(dir, { recursive: true, force: true });
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
  const compiled = join(dir, entry.replace(/\.ts$/, ".js"));
  if (!existsSync(compiled))
    throw new Error(`${entry} is not among the compiled folders (${folders.join(", ")})`);
  return { entry: compiled, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Removes the folders of builds whose process is gone. */
function removeOrphans(): void {
  if (!existsSync(BUILD_DIR)) return;
  for (const name of readdirSync(BUILD_DIR)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid))
      rmSync(join(BUILD_DIR, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // someone else's process: alive
  }
}

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
