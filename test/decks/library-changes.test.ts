/**
 * Outputs that changed when the hand-written readers gave way to libraries (issue 12): csv-parse for records,
 * htmlparser2 + entities for Anki HTML. Each is an input that was malformed or rare; the new output is what the
 * library (and a browser, so Anki) makes of it.
 */
import { describe, expect, it } from "vitest";
import { readDelimited } from "../../src/core/decks/delimited.ts";
import { htmlToMarkdown } from "../../src/core/decks/html.ts";

const md = (html: string) => htmlToMarkdown(html).text;

describe("HTML read by htmlparser2 and entities", () => {
  it("decodes character references as a browser does: every HTML name, legacy forms without ';'", () => {
    expect(md("&copy 2024 &amp AT&T &notit; &hearts; &#128;")).toBe("© 2024 & AT&T ¬it; ♥ €");
    expect(md("&nbsp;x&shy;y &unknown;")).toBe(" xy &unknown;");
  });

  it("drops doctypes and a tag left open at the end of the field", () => {
    expect(md("<!DOCTYPE html><body>hi</body>")).toBe("hi");
    expect(md("x <y")).toBe("x ");
  });
});

describe("records read by csv-parse", () => {
  it("keeps a quoted field followed by text as written, quotes included", () => {
    expect(readDelimited('"ab"cd,e\n', { delimiter: "," }).records[0]?.fields).toEqual(['"ab"cd', "e"]);
  });
});
