import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILD_INFO, isFresh, sourceFingerprint } from "../../src/build/fingerprint.ts";

let root: string;
let build: string;
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), text);
};
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "fingerprint-"));
  build = join(root, "dist");
  write("src/index.ts", "export {};\n");
  write("src/db/a.ts", "export const a = 1;\n");
  write("commands/help.ts", "export default {};\n");
  write("drizzle/sqlite/0000_init.sql", "CREATE TABLE t (x);\n");
  mkdirSync(build);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const recordBuild = () =>
  writeFileSync(join(build, BUILD_INFO), JSON.stringify({ fingerprint: sourceFingerprint(root) }));

describe("GIVEN a build recorded with the sources' digest", () => {
  it("THEN it is current while no byte of the sources changes, even when their times do", () => {
    recordBuild();
    expect(isFresh(build, root)).toBe(true);
    utimesSync(join(root, "src/db/a.ts"), new Date(), new Date(Date.now() + 60_000));
    expect(isFresh(build, root)).toBe(true);
  });

  it("THEN a changed, added or removed source, or a new migration, makes it stale", () => {
    const stale = (change: () => void) => {
      recordBuild();
      change();
      return !isFresh(build, root);
    };
    expect(stale(() => write("src/db/a.ts", "export const a = 2;\n"))).toBe(true);
    expect(stale(() => write("commands/stats.ts", "export default {};\n"))).toBe(true);
    expect(stale(() => rmSync(join(root, "commands/stats.ts")))).toBe(true);
    expect(stale(() => write("drizzle/sqlite/0001_more.sql", "ALTER TABLE t ADD y;\n"))).toBe(true);
  });

  it("THEN a file moved to another path with the same bytes changes the digest", () => {
    const before = sourceFingerprint(root);
    rmSync(join(root, "src/db/a.ts"));
    write("src/a.ts", "export const a = 1;\n");
    expect(sourceFingerprint(root)).not.toBe(before);
  });

  it("THEN no build-info, or an unreadable one, is never current", () => {
    expect(isFresh(build, root)).toBe(false);
    writeFileSync(join(build, BUILD_INFO), "{ not json");
    expect(isFresh(build, root)).toBe(false);
  });
});
