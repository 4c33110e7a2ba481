/**
 * Runs fits in a worker thread, one at a time per process (a fit uses a core for seconds; a second waits its
 * turn). Each fit gets a worker of its own, ended when it answers. From the TypeScript sources (npm start, tests)
 * the worker loads fit-worker.ts through tsx's API; from the compiled build (sharded start) the .js beside this.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { FitAnswer, FitJob } from "./fit-job.ts";

function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./fit-worker.js", import.meta.url));
  // tsx's ESM API beside the CommonJS entry `require` finds (an eval worker resolves from no file of its own).
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const file = new URL("./fit-worker.ts", import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(file)}, ${JSON.stringify(file)}))`,
    {
      eval: true,
    },
  );
}

/**
 * The longest a fit may take before its worker is ended: a 20,000-review member fits in about a second here, so
 * a fit still running after this is stuck, and would hold up every fit queued behind it.
 */
export const FIT_TIMEOUT_MS = 120_000;

function runInWorker(job: FitJob): Promise<FitAnswer> {
  return new Promise((resolve, reject) => {
    const worker = startWorker();
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`it took over ${FIT_TIMEOUT_MS / 1000} s and was stopped`))),
      FIT_TIMEOUT_MS,
    );
    worker.once("message", (m: { ok: true; answer: FitAnswer } | { ok: false; error: string }) =>
      settle(() => (m.ok ? resolve(m.answer) : reject(new Error(`the fit failed: ${m.error}`)))),
    );
    worker.once("error", (err) => settle(() => reject(err)));
    worker.once("exit", (code) =>
      settle(() => reject(new Error(`the fit's worker exited (${code}) before answering`))),
    );
    worker.postMessage(job);
  });
}

let queue: Promise<unknown> = Promise.resolve();
let waiting = 0;

/** Fits in a worker after the fits before it in this process. */
export function fitInWorker(job: FitJob): Promise<FitAnswer> {
  waiting++;
  const run = queue.then(() => runInWorker(job));
  queue = run.catch(() => undefined).finally(() => waiting--);
  return run;
}

/** Fits started or waiting in this process (the monthly re-fit starts one only when none is). */
export function fitsInProcess(): number {
  return waiting;
}
