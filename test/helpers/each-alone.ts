/**
 * Runs every test of the given files (or folders) alone, one `vitest run <file> -t <its full name>` each, and
 * prints the ones that fail alone: a test that passes only after the tests before it builds on them.
 *
 *   npx tsx test/helpers/each-alone.ts test/e2e [--jobs 2] [--filter text]
 *
 * Exit code 1 when any test fails alone (or when a name matched no test or more than one). Each run is a fresh
 * Vitest process, exactly what a developer gets with `-t`; `--jobs` runs that many at once (default 1: the
 * machine is shared).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const VITEST = join(ROOT, "node_modules/.bin/vitest");

interface Listed {
  name: string;
  file: string;
}

/** The parts of Vitest's JSON reporter output read here. */
interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { message?: string; assertionResults: { status: string; failureMessages?: string[] }[] }[];
}

interface Outcome {
  test: Listed;
  ok: boolean;
  ms: number;
  why: string;
}

function parseArgs(argv: string[]) {
  const paths: string[] = [];
  let jobs = 1;
  let filter = "";
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] ?? "";
    if (a === "--jobs") jobs = Math.max(1, Number(argv[++k]) || 1);
    else if (a === "--filter") filter = argv[++k] ?? "";
    else paths.push(a);
  }
  return { paths: paths.length > 0 ? paths : ["test/e2e"], jobs, filter };
}

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((res, rej) => {
    const child = spawn(VITEST, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0" } });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.on("error", rej);
    child.on("close", (code) => res({ code, out }));
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * Vitest matches `-t` against the test's full name, its describe titles and its own joined by spaces (`vitest
 * list` joins them with " > "). Anchored at the end and at a word start, so it matches this one test.
 */
const patternOf = (name: string) => `(^| )${escapeRegExp(name.split(" > ").join(" "))}$`;

async function list(paths: string[], dir: string): Promise<Listed[]> {
  const out = join(dir, "list.json");
  const r = await run(["list", ...paths, `--json=${out}`]);
  if (r.code !== 0) throw new Error(`vitest list failed:\n${r.out}`);
  return JSON.parse(readFileSync(out, "utf8")) as Listed[];
}

async function alone(test: Listed, dir: string, k: number): Promise<Outcome> {
  const out = join(dir, `run-${k}.json`);
  const t0 = performance.now();
  const file = relative(ROOT, test.file);
  const r = await run(["run", file, "-t", patternOf(test.name), "--reporter=json", `--outputFile=${out}`]);
  const ms = performance.now() - t0;
  let report: JsonReport;
  try {
    report = JSON.parse(readFileSync(out, "utf8")) as JsonReport;
  } catch {
    return { test, ok: false, ms, why: `no report (exit ${r.code}):\n${r.out.slice(-2000)}` };
  }
  const failures = report.testResults.flatMap((f) => [
    ...(f.message ? [f.message] : []),
    ...f.assertionResults.flatMap((a) => a.failureMessages ?? []),
  ]);
  if (report.numFailedTests > 0 || failures.length > 0 || r.code !== 0)
    return { test, ok: false, ms, why: failures.join("\n").slice(0, 2000) || `exit ${r.code}` };
  if (report.numPassedTests !== 1)
    return { test, ok: false, ms, why: `the name matched ${report.numPassedTests} passing tests, not 1` };
  return { test, ok: true, ms, why: "" };
}

async function main() {
  const { paths, jobs, filter } = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "each-alone-"));
  try {
    const tests = (await list(paths, dir)).filter((t) => `${t.file} ${t.name}`.includes(filter));
    console.log(`${tests.length} tests in ${paths.join(" ")}, each alone, ${jobs} at a time`);
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < tests.length) {
        const k = next++;
        const test = tests[k] as Listed;
        const o = await alone(test, dir, k);
        outcomes.push(o);
        const where = `${relative(ROOT, test.file)} › ${test.name}`;
        console.log(`${o.ok ? "ok  " : "FAIL"} ${(o.ms / 1000).toFixed(1).padStart(5)} s  ${where}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, tests.length) }, worker));
    const failed = outcomes.filter((o) => !o.ok);
    console.log(`\n${outcomes.length - failed.length} passed alone, ${failed.length} failed alone`);
    for (const o of failed) console.log(`\n✗ ${relative(ROOT, o.test.file)} › ${o.test.name}\n${o.why}`);
    process.exitCode = failed.length > 0 ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
