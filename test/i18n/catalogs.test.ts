/**
 * The catalogs walked key by key: every key of another language is one English has (English is complete: the
 * fallback for any key a language lacks), with the same placeholders; no message is over Discord's limits in any
 * language; the command translations name commands and options that exist, within Discord's 100-character
 * descriptions and its rules for names.
 */
import { describe, expect, it } from "vitest";
import { loadCommands } from "../../src/discord/load-commands.ts";
import { LOCALES } from "../../src/i18n/locales.ts";
import { CATALOGS, english, translator } from "../../src/i18n/translate.ts";

type Tree = { [k: string]: Tree | string };

/** Every message of a catalog by its dotted key (the `commands` section is checked on its own). */
function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = `${prefix}${k}`;
    if (typeof v === "string") out.set(key, v);
    else if (!(prefix === "" && k === "commands"))
      for (const [kk, vv] of flatten(v, `${key}.`)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort();
const base = (key: string) => key.replace(/_(one|other|zero|two|few|many)$/, "");
const en = flatten(CATALOGS.en as Tree);
const others = LOCALES.filter((l) => l !== "en");

/** Keys whose message is a button label (80 characters), with the longest text their placeholders take. */
const LABELS = [
  "study.showAnswer",
  "study.bury",
  "study.suspend",
  "study.edit",
  "study.report",
  "study.stop",
  "study.undo",
  "quiz.startReview",
];

describe("GIVEN the catalogs", () => {
  it.each(others)("THEN every %s key is one English has, with the same placeholders", (locale) => {
    const messages = flatten(CATALOGS[locale] as Tree);
    expect(messages.size).toBeGreaterThan(50);
    const englishBases = new Set([...en.keys()].map(base));
    for (const [key, text] of messages) {
      expect(englishBases.has(base(key)), `${locale} ${key} is not an English key`).toBe(true);
      const reference = en.get(key) ?? en.get(`${base(key)}_other`) ?? "";
      expect(placeholders(text), `${locale} ${key}`).toEqual(placeholders(reference));
    }
  });

  it("THEN every message fits a Discord message in every language, and every button label fits a button", () => {
    for (const locale of LOCALES) {
      for (const [key, text] of flatten(CATALOGS[locale] as Tree))
        expect(text.length, `${locale} ${key}`).toBeLessThanOrEqual(2000);
      const t = translator(locale);
      for (const key of LABELS) expect(t(key as never).length, `${locale} ${key}`).toBeLessThanOrEqual(80);
      for (const g of [1, 2, 3, 4])
        expect(`${t(`study.grade.${g}` as never)} · 12mo`.length).toBeLessThanOrEqual(80);
    }
  });

  it("THEN plurals follow each language, and a key no catalog has never reads as an empty message", () => {
    expect(translator("de")("common.cards", { count: 1 })).toBe("1 Karte");
    expect(translator("de")("common.cards", { count: 3 })).toBe("3 Karten");
    expect(translator("es")("common.cards", { count: 1 })).toBe("1 tarjeta");
    expect(english("common.cards", { count: 0 })).toBe("0 cards");
    expect(translator("de")("no.such.key" as never)).toBe("no.such.key");
  });

  it("THEN the command translations name real commands and options, within Discord's limits", async () => {
    const commands = await loadCommands();
    const byName = new Map(commands.map((c) => [c.data.name, c.data as unknown as Tree]));
    const walk = (node: Tree, data: Tree | undefined, path: string) => {
      expect(data, `${path} is no command or option`).toBeDefined();
      for (const [k, v] of Object.entries(node)) {
        if (k === "description" && typeof v === "string") {
          expect(typeof v).toBe("string");
          expect((v as string).length, path).toBeGreaterThan(0);
          expect([...(v as string)].length, path).toBeLessThanOrEqual(100);
        } else if (k === "name" && typeof v === "string") {
          expect(v as string, path).toMatch(/^[-_\p{L}\p{N}]{1,32}$/u);
          expect(v as string).toBe((v as string).toLowerCase());
        } else {
          const options = (data?.options ?? []) as unknown as Tree[];
          walk(
            v as Tree,
            options.find((o) => o.name === k),
            `${path}.${k}`,
          );
        }
      }
    };
    for (const locale of others) {
      const tree = (CATALOGS[locale] as { commands?: Tree }).commands ?? {};
      expect(Object.keys(tree).sort()).toEqual([...byName.keys()].sort());
      for (const [name, node] of Object.entries(tree))
        walk(node as Tree, byName.get(name), `${locale} ${name}`);
    }
  });
});
