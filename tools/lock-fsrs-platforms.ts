/**
 * `npm run lock:fsrs`: writes the FSRS optimizer's platform packages into package-lock.json as the public registry
 * would. `@open-spaced-repetition/binding` lists one optional package per platform (napi-rs builds, and a WASI
 * build); this machine's registry mirror carries only the linux-x64-gnu one of its version, so `npm install` here
 * leaves the others out of the lock, and `npm ci` then refuses the lock ("Missing: … from lock file"). npm skips
 * each of these entries on a platform it does not match; on its own platform it fetches it from the registry.
 * Run it after any `npm install` that rewrote the lock.
 */
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = new URL("../package-lock.json", import.meta.url);
const SCOPE = "node_modules/@open-spaced-repetition";

/** Each build's platform, as its own package.json says it (napi-rs's naming). */
const PLATFORMS: Record<string, { os?: string[]; cpu: string[]; libc?: string[] }> = {
  "binding-android-arm64": { os: ["android"], cpu: ["arm64"] },
  "binding-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "binding-darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "binding-linux-arm64-gnu": { os: ["linux"], cpu: ["arm64"], libc: ["glibc"] },
  "binding-linux-arm64-musl": { os: ["linux"], cpu: ["arm64"], libc: ["musl"] },
  "binding-linux-x64-gnu": { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
  "binding-linux-x64-musl": { os: ["linux"], cpu: ["x64"], libc: ["musl"] },
  "binding-wasm32-wasi": { cpu: ["wasm32"] },
  "binding-win32-arm64-msvc": { os: ["win32"], cpu: ["arm64"] },
  "binding-win32-ia32-msvc": { os: ["win32"], cpu: ["ia32"] },
  "binding-win32-x64-msvc": { os: ["win32"], cpu: ["x64"] },
};

type Entry = Record<string, unknown>;
const lock = JSON.parse(readFileSync(LOCK, "utf8")) as { packages: Record<string, Entry> };
const binding = lock.packages[`${SCOPE}/binding`];
if (!binding)
  throw new Error("package-lock.json holds no @open-spaced-repetition/binding: npm install it first");
const wanted = Object.keys((binding.optionalDependencies ?? {}) as Record<string, string>);
let added = 0;
for (const name of wanted) {
  const short = name.replace("@open-spaced-repetition/", "");
  const key = `${SCOPE}/${short}`;
  if (lock.packages[key]) continue;
  const platform = PLATFORMS[short];
  if (!platform) throw new Error(`${name}: no platform known for it; add it to PLATFORMS`);
  lock.packages[key] = { version: binding.version, ...platform, license: "MIT", optional: true };
  added++;
}
// npm keeps the entries in key order.
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock:fsrs: ${added} platform package(s) of the FSRS binding written into package-lock.json`);
