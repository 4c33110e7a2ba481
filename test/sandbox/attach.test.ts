import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ActionError } from "../../src/sandbox/actions.ts";
import { attachLocalFile } from "../../src/sandbox/attach.ts";

const dir = mkdtempSync(join(tmpdir(), "sandbox-attach-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("GIVEN a path typed as an attachment option", () => {
  it("THEN a file relative to the working directory is attached with its name, bytes and content type", () => {
    writeFileSync(join(dir, "cards.csv"), "front,back\na,b\n");
    expect(attachLocalFile("file", "cards.csv", dir)).toEqual({
      name: "cards.csv",
      contentType: "text/csv; charset=utf-8",
      data: Buffer.from("front,back\na,b\n"),
    });
  });

  it("THEN a missing file, a folder, a device or a file over 10 MiB is refused with the reason, before reading", () => {
    const refused = (path: string) => {
      try {
        attachLocalFile("file", path, dir);
      } catch (err) {
        expect(err).toBeInstanceOf(ActionError);
        return (err as Error).message;
      }
      return "attached";
    };
    expect(refused("nope.deck")).toBe(
      `file: cannot attach "nope.deck": no such file (a path relative to ${dir}, e.g. file:decks/pytorch.deck)`,
    );
    expect(refused(".")).toMatch(/^file: cannot attach "\.": it is a folder, not a file/);
    expect(refused("/dev/zero")).toMatch(/^file: cannot attach "\/dev\/zero": not a regular file/);
    const big = join(dir, "big.txt");
    writeFileSync(big, "");
    truncateSync(big, 10 * 1024 * 1024 + 1);
    expect(refused("big.txt")).toMatch(/: 10485761 bytes, over Discord's 10 MiB upload limit/);
  });
});
