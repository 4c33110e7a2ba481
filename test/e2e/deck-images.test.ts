/**
 * A deck's images end to end, on both engines: a server deck imported from an Anki package shows its card's image
 * in `/study` (question and answer side, the attachment the embed shows) and drops it for a card without one; the
 * daily question of a card with an image carries it as the post's attachment, and keeps it when the post is edited.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BASIC, collectionBytes, GIF_1X1, PNG_1X1, packageBytes } from "../../datagen/anki-packages.ts";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const note = (id: number, front: string, back: string) => ({
  id,
  guid: `g${id}`,
  mid: BASIC.id,
  fields: [front, back],
  ords: [0],
});

/** An .anki21b package of the Anki deck "Layers" with these notes and images. */
const layers = (notes: ReturnType<typeof note>[], media: Record<string, Uint8Array>) =>
  packageBytes(
    "collection.anki21b",
    collectionBytes({ schema: 18, noteTypes: [BASIC], decks: { 1: "Layers" }, notes }),
    {},
    media,
  );

const PACKAGE = layers(
  [
    note(1, 'Which layer? <img src="conv.png">', 'Conv2d <img src="kernel.gif">'),
    note(2, "What does ReLU return for -3?", "0"),
    note(3, "What does softmax output sum to?", "1"),
    note(4, "Which layer drops units at random?", "Dropout"),
  ],
  { "conv.png": PNG_1X1, "kernel.gif": GIF_1X1 },
);

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ engine, start: "2026-03-02T07:00:00Z", decks: [] });
  });
  afterEach(() => w.stop());

  const image = (m: StoredMessage | undefined) => ({
    embed: m?.embeds[0]?.image?.url,
    files: m?.attachments.map((a) => [a.filename, a.data.toString("hex")]),
  });

  it("GIVEN a package whose card shows an image THEN /study shows it on both sides, and not on the next card", async () => {
    const r = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck import",
      options: {
        file: { name: "Layers.apkg", contentType: "application/octet-stream", data: Buffer.from(PACKAGE) },
        scope: "server",
      } as never,
    });
    expect(r.message?.embeds[0]?.title).toBe("Imported: Layers");
    expect(r.message?.embeds[0]?.description).toContain("2 images");
    const deck = await sqlRow<{ id: string }>(w.bot.deps.db, sql`SELECT id FROM decks WHERE name = 'Layers'`);
    const s = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "study",
      options: { deck: deck?.id },
    });
    expect(s.message?.embeds[0]?.description).toContain("Which layer?");
    expect(image(s.message)).toEqual({
      embed: "attachment://card.png",
      files: [["card.png", PNG_1X1.toString("hex")]],
    });
    const shown = await w.emu.click({ user: w.alice, message: s.message!, label: "Show answer" });
    expect(image(shown.message)).toEqual({
      embed: "attachment://card.gif",
      files: [["card.gif", GIF_1X1.toString("hex")]],
    });
    const next = await w.emu.click({ user: w.alice, message: shown.message!, label: "Good" });
    expect(next.message?.embeds[0]?.description).toContain("ReLU");
    expect(image(next.message)).toEqual({ embed: undefined, files: [] });

    // Exported as an Anki package and imported back: the same cards, keys and images.
    const exported = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck export",
      options: { deck: deck?.id, format: "apkg" },
    });
    const att = exported.message?.attachments[0];
    expect(att?.filename).toBe(`${deck?.id}.apkg`);
    const back = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck import",
      options: {
        file: { name: att?.filename ?? "x", data: att?.data ?? Buffer.alloc(0) },
        name: "Layers copy",
      } as never,
    });
    expect(back.message?.embeds[0]?.description).toContain("**4** cards · 2 images");
    const copy = await sqlRow<{ id: string }>(
      w.bot.deps.db,
      sql`SELECT id FROM decks WHERE name = 'Layers copy'`,
    );
    const cardsOf = (id: string) =>
      sqlRows(
        w.bot.deps.db,
        sql`SELECT key, front, back, tags, front_image, back_image FROM cards WHERE deck_id = ${id} ORDER BY position`,
      );
    const mediaOf = (id: string) =>
      sqlRows<{ name: string; mime: string; bytes: Uint8Array }>(
        w.bot.deps.db,
        sql`SELECT name, mime, bytes FROM deck_media WHERE deck_id = ${id} ORDER BY name`,
      );
    expect(await cardsOf(copy?.id ?? "")).toEqual(await cardsOf(deck?.id ?? ""));
    const hex = (rows: { name: string; mime: string; bytes: Uint8Array }[]) =>
      rows.map((r) => [r.name, r.mime, Buffer.from(r.bytes).toString("hex")]);
    expect(hex(await mediaOf(copy?.id ?? ""))).toEqual([
      ["conv.png", "image/png", PNG_1X1.toString("hex")],
      ["kernel.gif", "image/gif", GIF_1X1.toString("hex")],
    ]);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN an update that asks first THEN 'Import as a new deck' keeps the name asked for and the images", async () => {
    const importAs = (data: Uint8Array) =>
      w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck import",
        options: {
          file: { name: "Layers.apkg", contentType: "application/octet-stream", data: Buffer.from(data) },
          name: "My Layers",
        } as never,
      });
    await importAs(PACKAGE);
    const deck = await sqlRow<{ id: string }>(
      w.bot.deps.db,
      sql`SELECT id FROM decks WHERE name = 'My Layers'`,
    );
    const s = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "study",
      options: { deck: deck?.id },
    });
    const shown = await w.emu.click({ user: w.alice, message: s.message!, label: "Show answer" });
    await w.emu.click({ user: w.alice, message: shown.message!, label: "Good" });
    // The same package without the card she studied: retiring it asks first.
    const fewer = layers(
      [
        note(2, "What does ReLU return for -3?", "0"),
        note(5, 'Pooling? <img src="kernel.gif">', "MaxPool2d"),
      ],
      { "kernel.gif": GIF_1X1 },
    );
    const ask = await importAs(fewer);
    expect(ask.message?.attachments.map((a) => a.filename)).toEqual(["My Layers.apkg"]);
    const done = await w.emu.click({ user: w.alice, message: ask.message!, label: "Import as a new deck" });
    const reply = await w.emu.waitFor(() =>
      [done.message, ...done.interaction.followUpIds.map((id) => w.emu.message(id))].find((m) =>
        m?.embeds[0]?.title?.startsWith("Imported"),
      ),
    );
    expect(reply?.embeds[0]?.title).toMatch(/^Imported: My Layers/);
    const copy = await sqlRow<{ id: string; name: string }>(
      w.bot.deps.db,
      sql`SELECT id, name FROM decks WHERE name <> 'My Layers' AND source = 'import'`,
    );
    expect(copy?.name).toMatch(/^My Layers/);
    expect(
      await sqlRows(w.bot.deps.db, sql`SELECT name FROM deck_media WHERE deck_id = ${copy?.id ?? ""}`),
    ).toEqual([{ name: "kernel.gif" }]);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN the daily question is a card with an image THEN the post carries the image, and an answer's edit keeps it", async () => {
    const only = packageBytes(
      "collection.anki2",
      collectionBytes({
        schema: 11,
        noteTypes: [BASIC],
        decks: { 1: "Pictures" },
        notes: [1, 2, 3, 4].map((k) => note(k, `Picture ${k} <img src="p.png">`, `answer ${k}`)),
      }),
      {},
      { "p.png": PNG_1X1 },
    );
    await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck import",
      options: {
        file: { name: "Pictures.apkg", contentType: "application/octet-stream", data: Buffer.from(only) },
        scope: "server",
      } as never,
    });
    await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "quiz setup",
      options: { channel: w.channel, time: "09:00", timezone: "Europe/Berlin" },
    });
    w.clock.set(new Date("2026-03-02T08:00:00Z"));
    await w.bot.tick();
    const post = w.emu
      .messages(w.channel.id)
      .find((m) => m.visibleTo === "everyone" && m.embeds[0]?.title?.startsWith("Daily quiz ·"));
    expect(post?.embeds[0]?.description ?? "").toContain("Picture");
    expect(post?.attachments.map((a) => [a.filename, a.data.toString("hex")])).toEqual([
      ["card.png", PNG_1X1.toString("hex")],
    ]);
    await w.emu.click({ user: w.bob, message: post!, label: "A" });
    await w.emu.waitFor(() => (w.emu.message(post!.id)?.embeds[0]?.footer?.text ?? "").match(/1 answer/));
    expect(w.emu.message(post!.id)?.attachments).toHaveLength(1);
    expect(w.emu.rejections).toEqual([]);
  });
});
