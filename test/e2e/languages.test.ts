/**
 * The bot in the member's language, end to end on both engines: a member whose Discord is German sees /study, its
 * buttons and /stats in German; an unknown language falls back to English; the public daily post is in the
 * server's language (Spanish here), or in the one `/quiz setup language:` chose, while each member's own answer
 * feedback is in theirs; the commands are registered with their German and Spanish descriptions.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const CAPITALS: [string, string][] = [
  ["Capital of France?", "Paris"],
  ["Capital of Germany?", "Berlin"],
  ["Capital of Italy?", "Rome"],
  ["Capital of Spain?", "Madrid"],
];
const decks = [
  {
    id: "capitals",
    name: "Capitals",
    cards: CAPITALS.map(([front, back], k) => ({ key: String(k + 1), front, back })),
  },
];

const labels = (m: StoredMessage | undefined) =>
  ((m?.components ?? []) as { components: { label?: string }[] }[]).flatMap((r) =>
    r.components.map((c) => c.label),
  );
const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  afterEach(() => w?.stop());

  it("GIVEN a member whose Discord is German THEN /study, its buttons and /stats are in German", async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z", decks });
    const greta = w.emu.addUser({ name: "greta", guildId: w.guild.id, locale: "de" });
    const run = (command: string, options?: Record<string, string>) =>
      w.emu.runCommand({ user: greta, channel: w.channel, command, ...(options && { options }) });
    const sub = await run("deck subscribe", { deck: "capitals" });
    expect(sub.message?.content).toBe("**Capitals** abonniert: seine Karten sind jetzt in deinem `/study`.");
    const s = await run("study");
    expect(labels(s.message)).toEqual(["Antwort zeigen", "Beenden"]);
    expect(s.message?.embeds[0]?.footer?.text).toBe("0 fällig · heute noch 4 neue");
    expect(s.message?.embeds[0]?.author?.name).toBe("Capitals · neue Karte");
    const shown = await w.emu.click({ user: greta, message: s.message!, label: "Antwort zeigen" });
    expect(shown.message?.embeds[0]?.description).toContain("**Antwort**\nParis");
    expect(labels(shown.message).map((l) => l?.split(" · ")[0])).toEqual([
      "Nochmal",
      "Schwer",
      "Gut",
      "Einfach",
      "Zurückstellen",
      "Aussetzen",
      "Melden",
      "Beenden",
    ]);
    // bob's forged click on greta's review is refused in bob's language (English); greta's in German.
    const forged = await w.emu.click({ user: w.bob, message: shown.message!, label: "Gut", forged: true });
    expect(forged.messages.at(-1)?.content ?? forged.message?.content).toBe(
      "This is someone else's review. Start your own with `/study`.",
    );
    const bobs = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck subscribe",
      options: { deck: "capitals" },
    });
    const bobStudy = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "study" });
    expect(bobs.message?.content).toContain("Capitals");
    const bobShown = await w.emu.click({ user: w.bob, message: bobStudy.message!, label: "Show answer" });
    const refused = await w.emu.click({
      user: greta,
      message: bobShown.message!,
      label: "Good",
      forged: true,
    });
    expect(refused.messages.at(-1)?.content ?? refused.message?.content).toBe(
      "Das ist die Wiederholung von jemand anderem. Starte deine eigene mit `/study`.",
    );
    const next = await w.emu.click({ user: greta, message: shown.message!, label: "Gut" });
    expect(labels(next.message)).toContain("↩ Rückgängig");
    const stats = await run("stats");
    const embed = stats.message?.embeds[0];
    expect(embed?.title).toBe("📊 Lernstatistik");
    expect(embed?.fields?.map((f: { name: string }) => f.name)).toEqual([
      "Wiederholungen",
      "Echte Behaltensrate",
      "Fällig",
      "Karten",
      "Serie",
      "Gelernt",
    ]);
    expect(embed?.fields?.[0]?.value).toBe("Heute **1**\n7 Tage **1**\n30 Tage **1**");
    expect(stats.message?.attachments.map((a) => a.filename)).toEqual(["stats.png"]);
    const board = await run("leaderboard", { metric: "reviews" });
    expect(board.ephemeral).toBe(false);
    expect(board.message?.content.split("\n")).toEqual([
      "## 🏆 Wiederholungen · letzte 7 Tage",
      `🥇 <@${greta.id}> — 1 Wiederholung`,
      "",
      `Rang von <@${greta.id}>: **#1** von 1 · 1 Wiederholung`,
      "-# Tage beginnen um 04:00 Serverzeit; Woche und Monat sind gleitend (heute und die Tage davor).",
    ]);
    const unsub = await run("deck unsubscribe", { deck: "capitals" });
    expect(unsub.message?.content).toBe(
      "**Capitals** abbestellt. Dein Fortschritt bleibt erhalten, falls du zurückkommst.",
    );
    expect((await run("deck unsubscribe", { deck: "capitals" })).message?.content).toBe(
      "Du hattest **Capitals** nicht abonniert.",
    );
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a German member and a Spanish one THEN /help, /leaderboard and /settings are in each one's language", async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z", decks });
    const greta = w.emu.addUser({ name: "greta", guildId: w.guild.id, locale: "de" });
    const sofia = w.emu.addUser({ name: "sofia", guildId: w.guild.id, locale: "es-419" });
    const de = await w.emu.runCommand({ user: greta, channel: w.channel, command: "help" });
    expect(de.ephemeral).toBe(true);
    expect(de.message?.embeds[0]?.title).toBe("Lernbegleiter");
    expect(de.message?.embeds[0]?.description).toContain("**Tägliches Quiz**");
    expect(de.message?.embeds[0]?.description).toContain(
      "• +2 pro richtiger Antwort auf die Frage des Tages",
    );
    const es = await w.emu.runCommand({ user: sofia, channel: w.channel, command: "help" });
    expect(es.message?.embeds[0]?.title).toBe("Compañero de estudio");
    expect(es.message?.embeds[0]?.description).toContain("**Fiesta de repaso**");
    const board = await w.emu.runCommand({ user: sofia, channel: w.channel, command: "leaderboard" });
    expect(board.message?.content).toContain(
      "## 🏆 Puntos · últimos 7 días\n_Aún no hay nadie en esta clasificación._",
    );
    expect(board.message?.content).toContain(`<@${sofia.id}> aún no está en esta clasificación`);
    expect(board.message?.content).toContain("-# Cómo se ganan los puntos: `/help`.");
    const limit = await w.emu.runCommand({
      user: greta,
      channel: w.channel,
      command: "settings newcards",
      options: { per_day: 5 },
    });
    expect(limit.message?.content).toBe("Du beginnst bis zu 5 neue Karten pro Tag.");
    const fields = limit.message?.embeds[0]?.fields as { name: string; value: string }[];
    expect(fields.slice(0, 6).map((f) => [f.name, f.value])).toEqual([
      ["Neue Karten pro Tag", "5"],
      ["Wiederholungen pro Tag", "200"],
      ["Zeitzone", "die des Servers: UTC (Standard)"],
      ["Tägliche Erinnerungen", "aus"],
      ["In Bestenlisten", "an"],
      ["Gewünschte Behaltensrate", "90\u00a0%"],
    ]);
    const model = await w.emu.runCommand({
      user: sofia,
      channel: w.channel,
      command: "settings memory show",
    });
    expect(model.message?.content).toBe("Tu modelo de memoria:");
    expect(model.message?.embeds[0]?.fields?.[0]).toMatchObject({
      name: "Pesos en uso",
      value: "los valores por defecto de FSRS",
    });
    const en = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "help" });
    expect(en.message?.embeds[0]?.title).toBe("Study companion");
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a member whose Discord language the bot does not speak THEN it answers in English", async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z", decks });
    const fleur = w.emu.addUser({ name: "fleur", guildId: w.guild.id, locale: "fr" });
    await w.emu.runCommand({
      user: fleur,
      channel: w.channel,
      command: "deck subscribe",
      options: { deck: "capitals" },
    });
    const s = await w.emu.runCommand({ user: fleur, channel: w.channel, command: "study" });
    expect(labels(s.message)).toEqual(["Show answer", "Stop"]);
    expect(s.message?.embeds[0]?.footer?.text).toBe("0 due · 4 new left today");
  });

  it("GIVEN a German member THEN /deck list and the report of a deck file she imports are in German", async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z", decks });
    const greta = w.emu.addUser({ name: "greta", guildId: w.guild.id, locale: "de" });
    const list = async () =>
      (await w.emu.runCommand({ user: greta, channel: w.channel, command: "deck list" })).message?.embeds[0];
    const before = await list();
    expect(before?.title).toBe("Stapel");
    expect(before?.description).toBe("▫️ **Capitals** `capitals` — 4 Karten");
    expect(before?.footer?.text).toMatch(
      /^✅ = abonniert · du kannst heute \d+ neue Karten beginnen · \/deck subscribe, um einen hinzuzufügen$/,
    );

    const deckFile = [
      "id: vokabeln",
      "name: Vokabeln",
      "",
      "## 1",
      "Hund",
      "---",
      "dog",
      "",
      "## 2",
      "Katze",
      "---",
      "cat",
      "",
    ];
    const r = await w.emu.runCommand({
      user: greta,
      channel: w.channel,
      command: "deck import",
      options: {
        file: {
          name: "vokabeln.deck",
          contentType: "text/plain",
          data: Buffer.from(deckFile.join("\n"), "utf8"),
        },
      } as never,
    });
    const report = r.message?.embeds[0];
    expect(report?.title).toBe("Importiert: Vokabeln");
    const lines = report?.description?.split("\n") ?? [];
    expect(lines[0]).toBe("Format: **nativer Stapel** · **2** Karten");
    expect(lines[1]).toBe("Persönlicher Stapel: nur du siehst ihn, auf jedem Server.");
    expect(lines[2]).toMatch(/^Stapel-ID `[^`]+` · du hast ihn abonniert: starte mit `\/study`\.$/);
    expect(report?.fields?.map((f: { name: string }) => f.name)).toEqual(["Karte 1", "Karte 2"]);
    // The card text itself is untouched.
    expect(report?.fields?.[0]?.value).toContain("Hund");

    const after = await list();
    expect(after?.description).toContain("✅ **Vokabeln**");
    expect(after?.description).toMatch(/0 fällig · 2 neu · 2 insgesamt/);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a Spanish server THEN the daily post is in Spanish, a German member's feedback in German; /quiz setup language: overrides it", async () => {
    w = await startWorld({ engine, start: "2026-03-02T06:00:00Z", decks, guildLocale: "es-ES" });
    await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "quiz setup",
      options: { channel: w.channel, time: "09:00", timezone: "Europe/Madrid" },
    });
    w.clock.set(new Date("2026-03-02T08:00:00Z"));
    await w.bot.tick();
    const posts = () =>
      w.emu
        .messages(w.channel.id)
        .filter((m) => m.visibleTo === "everyone" && m.embeds[0]?.title?.includes("·"));
    const post = posts()[0];
    expect(post?.embeds[0]?.title).toBe("Quiz diario · lunes, 2 de marzo de 2026");
    expect(post?.embeds[0]?.description).toContain("**Pregunta del día** · *Capitals*");
    expect(labels(post)).toContain("Empezar mi repaso");
    const greta = w.emu.addUser({ name: "greta", guildId: w.guild.id, locale: "de" });
    const r = await w.emu.click({ user: greta, message: post!, label: "A" });
    const feedback = w.emu.message(await w.emu.waitFor(() => r.interaction.followUpIds[0]));
    expect(feedback?.embeds[0]?.title).toMatch(/^(✅ Richtig!|❌ Nicht ganz)$/);
    // The post, edited with the new tally, stays Spanish.
    expect(w.emu.message(post!.id)?.embeds[0]?.footer?.text).toBe(
      `1 respondidas · ${text(feedback).includes("Richtig") ? "1" : "0"} correctas`,
    );

    // The next day in German, as the server's admins chose.
    await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "quiz setup",
      options: { channel: w.channel, time: "09:00", timezone: "Europe/Madrid", language: "de" },
    });
    w.clock.set(new Date("2026-03-03T08:00:00Z"));
    await w.bot.tick();
    expect(posts()[1]?.embeds[0]?.title).toBe("Tägliches Quiz · Dienstag, 3. März 2026");
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a German admin THEN /quiz setup, status, pause and resume answer in German (the post stays the server's)", async () => {
    w = await startWorld({ engine, start: "2026-03-02T06:00:00Z", decks });
    const greta = w.emu.addUser({ name: "greta", guildId: w.guild.id, locale: "de", admin: true });
    const run = (command: string, options?: Record<string, string>) =>
      w.emu.runCommand({ user: greta, channel: w.channel, command, ...(options && { options }) });
    const before = await run("quiz status");
    expect(before.message?.content).toBe(
      "Das tägliche Quiz ist hier noch nicht eingerichtet. Ein Admin kann `/quiz setup` ausführen.",
    );
    const setup = await w.emu.runCommand({
      user: greta,
      channel: w.channel,
      command: "quiz setup",
      options: { channel: w.channel, time: "09:00", timezone: "Europe/Berlin" },
    });
    expect(setup.message?.content.split("\n")[0]).toBe(
      `Das tägliche Quiz postet jeden Tag um **09:00** Europe/Berlin in <#${w.channel.id}>.`,
    );
    expect(setup.message?.content).toContain("Nächster Post: Mo., 2. März 2026, 09:00 (Europe/Berlin)");
    const status = await run("quiz status");
    const embed = status.message?.embeds[0];
    expect(embed?.title).toBe("Status des täglichen Quiz");
    expect(embed?.fields?.map((f: { name: string }) => f.name)).toEqual([
      "Kanal",
      "Uhrzeit",
      "Zustand",
      "Nächster Post",
    ]);
    expect(embed?.fields?.[2]?.value).toBe("▶️ aktiv");
    expect((await run("quiz pause")).message?.content).toBe("Das tägliche Quiz ist pausiert.");
    const paused = await run("quiz status");
    expect(paused.message?.embeds[0]?.fields?.[3]?.value).toBe("keiner, solange pausiert (`/quiz resume`)");
    expect((await run("quiz resume")).message?.content).toMatch(
      /^Das tägliche Quiz läuft wieder\. Nächster Post: Mo\., 2\. März 2026, 09:00 \(Europe\/Berlin\)/,
    );
    // A German member without Manage Server is refused in German.
    const hans = w.emu.addUser({ name: "hans", guildId: w.guild.id, locale: "de" });
    const refused = await w.emu.runCommand({ user: hans, channel: w.channel, command: "quiz pause" });
    expect(refused.message?.content).toContain(
      "Du brauchst die Berechtigung **Server verwalten**, um das tägliche Quiz zu ändern.",
    );
    // The server speaks no language of the bot's: its post is English.
    w.clock.set(new Date("2026-03-02T08:00:00Z"));
    await w.bot.tick();
    const last = (await run("quiz status")).message?.embeds[0]?.fields?.[4];
    expect(last?.name).toBe("Letzter Post");
    expect(last?.value).toMatch(/^Montag, 2\. März 2026: gepostet — \[ansehen\]\(https:/);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a Spanish server THEN a party's lobby and rounds are in Spanish, a German member's own replies in German", async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z", decks, guildLocale: "es-ES" });
    const greta = w.emu.addUser({ name: "greta", guildId: w.guild.id, locale: "de" });
    const r = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "party start",
      options: { deck: "capitals", cards: 2, seconds: 20, mode: "everyone" },
    });
    const thread = /<#(\d+)>/.exec(r.message?.content ?? "")?.[1];
    expect(thread).toBeDefined();
    const lobby = await w.emu.waitForMessage(
      thread!,
      (m) => m.embeds[0]?.title === "🎉 Fiesta de repaso · Capitals",
    );
    expect(labels(lobby)).toEqual(["Unirse", "Empezar"]);
    expect(lobby.embeds[0]?.description?.split("\n").slice(0, 4)).toEqual([
      "**Todos**: cada respuesta correcta suma 6 · 2 preguntas · 20 s cada una",
      `Anfitrión: <@${w.alice.id}>`,
      "",
      "**Jugadores (1)**",
    ]);
    await w.emu.click({ user: greta, message: lobby, label: "Unirse" });
    expect(w.emu.message(lobby.id)?.embeds[0]?.description).toContain(
      `**Jugadores (2)**\n<@${w.alice.id}> <@${greta.id}>`,
    );
    const again = await w.emu.click({ user: greta, message: lobby, label: "Unirse" });
    expect(again.message?.content).toBe("Du bist schon dabei: warte auf die erste Frage.");
    await w.emu.click({ user: w.alice, message: lobby, label: "Empezar" });
    expect(w.emu.message(lobby.id)?.embeds[0]?.description).toContain("**En curso**");
    const round = await w.emu.waitForMessage(thread!, (m) => m.embeds[0]?.title === "Ronda 1/2 · Capitals");
    expect(round.embeds[0]?.description).toMatch(/Se cierra <t:\d+:R>: elige \*\*A\*\*/);
    expect(round.embeds[0]?.footer?.text).toBe("0/2 respondieron");
    const answered = await w.emu.click({ user: greta, message: round, label: "A" });
    expect(answered.message?.content).toMatch(/^(✅ \*\*A\*\* ist richtig!|❌ \*\*A\*\* ist es nicht)/);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN the registered commands THEN they carry German and Spanish descriptions (and localized names)", async () => {
    w = await startWorld({ engine, decks });
    const study = w.emu.commands(w.guild.id).find((c) => c.name === "study") as
      | { name_localizations: Record<string, string>; description_localizations: Record<string, string> }
      | undefined;
    expect(study?.name_localizations).toEqual({ de: "lernen", "es-ES": "estudiar", "es-419": "estudiar" });
    expect(study?.description_localizations.de).toBe(
      "Deine fälligen Karten privat wiederholen, eine nach der anderen",
    );
    expect(study?.description_localizations["es-419"]).toBe(
      "Repasar tus tarjetas pendientes en privado, una a una",
    );
  });
});
