import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  MessageFlags,
  ModalBuilder,
  Routes,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startWorld, type World } from "./client.ts";

const commands = [
  { name: "ping", description: "Ping" },
  { name: "feedback", description: "Opens a modal" },
  {
    name: "deck",
    description: "Decks",
    options: [
      {
        type: 1,
        name: "subscribe",
        description: "Subscribe to a deck",
        options: [
          { type: 3, name: "deck", description: "Deck id", required: true, autocomplete: true },
          { type: 4, name: "daily", description: "Cards per day", min_value: 1, max_value: 100 },
          { type: 5, name: "quiet", description: "No pings" },
          { type: 7, name: "channel", description: "Where to post" },
        ],
      },
      {
        type: 2,
        name: "admin",
        description: "Admin tools",
        options: [
          {
            type: 1,
            name: "import",
            description: "Import a file",
            options: [{ type: 11, name: "file", description: "Deck file", required: true }],
          },
        ],
      },
    ],
  },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let w: World;
beforeAll(async () => {
  w = await startWorld({ firstResponseDeadlineMs: 300 }, commands);
});
afterAll(async () => w?.stop());
beforeEach(() => w.emu.clearRejections());

describe("GIVEN a slash command", () => {
  test("THEN options arrive typed by the registered definition and a reply is stored", async () => {
    const other = w.emu.addChannel(w.guild.id, { name: "quiz" });
    w.onCommand(async (i) => {
      const parts = [
        i.options.getSubcommand(),
        i.options.getString("deck"),
        i.options.getInteger("daily"),
        i.options.getBoolean("quiet"),
        i.options.getChannel("channel")?.name,
        i.inCachedGuild(),
        i.memberPermissions?.has("Administrator"),
      ];
      await i.reply(parts.join("|"));
    });
    const r = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck subscribe",
      options: { deck: "pytorch", daily: 20, quiet: true, channel: "quiz" },
    });
    expect(r.message?.content).toBe("subscribe|pytorch|20|true|quiz|true|true");
    expect(r.message?.channel_id).toBe(w.channel.id);
    expect(r.message?.interactionId).toBe(r.interaction.id);
    expect(r.interaction.payload.data.resolved.channels[other.id].name).toBe("quiz");
    expect(r.interaction.firstCallbackType).toBe(4);
    expect(w.emu.rejections).toEqual([]);
  });

  test("THEN an attachment option is served over HTTP by the emulator", async () => {
    w.onCommand(async (i) => {
      const file = i.options.getAttachment("file", true);
      const text = await (await fetch(file.url)).text();
      await i.reply(`${i.options.getSubcommandGroup()}/${file.name}/${file.contentType}/${text}`);
    });
    const r = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck admin import",
      options: { file: { name: "cards.txt", contentType: "text/plain", data: Buffer.from("Q: a\nA: b") } },
    });
    expect(r.message?.content).toBe("admin/cards.txt/text/plain/Q: a\nA: b");
  });

  test("THEN unknown commands, options and missing required options fail clearly", async () => {
    await expect(w.emu.runCommand({ user: w.alice, channel: w.channel, command: "nope" })).rejects.toThrow(
      /\/nope is not registered/,
    );
    await expect(
      w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "x", bad: 1 },
      }),
    ).rejects.toThrow(/no option "bad"/);
    await expect(
      w.emu.runCommand({ user: w.alice, channel: w.channel, command: "deck subscribe" }),
    ).rejects.toThrow(/required option "deck"/);
    await expect(
      w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "x", daily: 500 },
      }),
    ).rejects.toThrow(/max_value/);
  });

  test("THEN deferReply + editReply resolves on the edit, and the log shows the defer was in time", async () => {
    w.onCommand(async (i) => {
      await i.deferReply();
      await sleep(50);
      await i.editReply("done thinking");
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    expect(r.message?.content).toBe("done thinking");
    expect(r.message?.flags).toBe(0);
    expect(r.message?.history[0]?.flags).toBe(MessageFlags.Loading);
    const rec = r.interaction;
    expect(rec.firstCallbackType).toBe(5);
    expect(rec.deferred).toBe(true);
    expect((rec.firstCallbackAt ?? Number.POSITIVE_INFINITY) - rec.dispatchedAt).toBeLessThan(300);
    expect((rec.answeredAt ?? 0) - rec.dispatchedAt).toBeGreaterThanOrEqual(45);
    expect(w.emu.interactionsLog.at(-1)).toBe(rec);
  });

  test("THEN a first callback after the deadline gets 404 10062 Unknown interaction", async () => {
    w.onCommand(async (i) => {
      await sleep(400);
      await i.reply("too late");
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping", until: "none" });
    const error = await w.nextError();
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(10062);
    expect(r.interaction.acknowledged).toBe(false);
    expect(w.emu.rejections.map((x) => [x.status, x.code])).toEqual([[404, 10062]]);
    expect(w.emu.messages(w.channel.id).some((m) => m.content === "too late")).toBe(false);
  });

  test("THEN a second callback gets 400 40060 already acknowledged", async () => {
    w.onCommand(async (i) => {
      await i.reply("one");
      await i.client.rest.post(Routes.interactionCallback(i.id, i.token), {
        body: { type: 4, data: { content: "two" } },
        auth: false,
      });
    });
    await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    const error = (await w.nextError()) as DiscordAPIError;
    expect([error.status, error.code]).toEqual([400, 40060]);
    expect(w.emu.rejections[0]?.code).toBe(40060);
  });

  test("THEN follow-ups work for 15 minutes of emulator time, then 404 10015 Unknown Webhook", async () => {
    let replied: (i: { followUp(content: string): Promise<unknown> }) => void = () => {};
    const handlerDone = new Promise<{ followUp(content: string): Promise<unknown> }>((r) => {
      replied = r;
    });
    w.onCommand(async (i) => {
      await i.reply("first");
      replied(i);
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    // runCommand resolves when the emulator accepted the reply; the client marks itself replied a moment later.
    const saved = await handlerDone;
    await saved.followUp("still here");
    expect(r.messages.map((m) => m.content)).toEqual(["first", "still here"]);
    w.emu.advanceTime(15 * 60_000 + 1);
    const error = (await saved.followUp("too late").catch((e) => e)) as DiscordAPIError;
    expect(error.code).toBe(10015);
  });
});

describe("GIVEN a message with buttons", () => {
  const row = () =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId("rate:good:3").setLabel("Good").setStyle(ButtonStyle.Success),
      new ButtonBuilder().setCustomId("rate:again:3").setLabel("Again").setStyle(ButtonStyle.Danger),
    );

  test("THEN a click by label runs update(), editing the same message and keeping history", async () => {
    w.on(async (i) => {
      if (i.isChatInputCommand()) await i.reply({ content: "Card 1", components: [row()] });
      else if (i.isButton())
        await i.update({ content: `rated ${i.customId} on ${i.message.content}`, components: [] });
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    const c = await w.emu.click({ user: w.bob, message: r.message ?? "", label: "Go" });
    expect(c.message?.id).toBe(r.message?.id);
    expect(c.message?.content).toBe("rated rate:good:3 on Card 1");
    expect(c.message?.components).toEqual([]);
    expect(c.message?.history.map((v) => v.content)).toEqual(["Card 1"]);
    expect(c.interaction.firstCallbackType).toBe(7);
    await expect(
      w.emu.click({ user: w.bob, message: r.message ?? "", customId: "rate:good:3" }),
    ).rejects.toThrow(/No button/);
  });

  test("THEN an ephemeral reply is seen only by its user, and only they can click it", async () => {
    w.on(async (i) => {
      if (i.isChatInputCommand())
        await i.reply({ content: "secret", components: [row()], flags: MessageFlags.Ephemeral });
      else if (i.isButton()) await i.update({ content: "still secret", components: [] });
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    expect(r.ephemeral).toBe(true);
    expect(r.message?.visibleTo).toBe(w.alice.id);
    expect(r.message?.flags).toBe(MessageFlags.Ephemeral);
    expect(w.emu.seenBy(w.alice, w.channel.id)).toContain(r.message);
    expect(w.emu.seenBy(w.bob, w.channel.id)).not.toContain(r.message);
    await expect(w.emu.click({ user: w.bob, message: r.message ?? "", label: "Good" })).rejects.toThrow(
      /ephemeral/,
    );
    const c = await w.emu.click({ user: w.alice, message: r.message ?? "", label: "Good" });
    expect(c.message?.content).toBe("still secret");
    expect(c.message?.visibleTo).toBe(w.alice.id);
  });
});

describe("GIVEN the other response paths", () => {
  test("THEN withResponse returns Discord's callback resource with the message", async () => {
    let seen: unknown;
    w.onCommand(async (i) => {
      const res = await i.reply({ content: "with response", withResponse: true });
      seen = { id: res.interaction.id, type: res.resource?.type, content: res.resource?.message?.content };
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    await w.emu.waitFor(() => seen, 2000);
    expect(seen).toEqual({ id: r.interaction.id, type: 4, content: "with response" });
  });

  test("THEN deferUpdate + editReply edits the clicked message; follow-ups can be edited and deleted", async () => {
    w.on(async (i) => {
      if (i.isChatInputCommand()) {
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId("next").setLabel("Next").setStyle(ButtonStyle.Primary),
        );
        await i.reply({ content: "page 1", components: [row] });
      } else if (i.isButton()) {
        await i.deferUpdate();
        await i.editReply({ content: "page 2", components: [] });
        const extra = await i.followUp({ content: "note", flags: MessageFlags.Ephemeral });
        await i.webhook.editMessage(extra, { content: "note (edited)" });
        const gone = await i.followUp("temporary");
        await i.deleteReply(gone);
      }
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    const c = await w.emu.click({ user: w.alice, message: r.message ?? "", label: "Next" });
    expect(c.interaction.firstCallbackType).toBe(6);
    expect(c.message?.id).toBe(r.message?.id);
    expect(c.message?.content).toBe("page 2");
    await w.emu.waitFor(() => c.messages.length === 3 && c.messages[2]?.deleted, 2000);
    const [, note, temporary] = c.messages;
    expect(note?.content).toBe("note (edited)");
    expect(note?.visibleTo).toBe(w.alice.id);
    expect(temporary?.deleted).toBe(true);
    expect(w.emu.seenBy(w.bob, w.channel.id)).not.toContain(temporary);
    expect(w.emu.rejections).toEqual([]);
  });

  test("THEN a string select sends the chosen values", async () => {
    w.on(async (i) => {
      if (i.isChatInputCommand()) {
        await i.reply({
          content: "pick",
          components: [
            {
              type: 1,
              components: [
                {
                  type: 3,
                  custom_id: "pick",
                  options: ["a", "b", "c"].map((v) => ({ label: v, value: v })),
                  max_values: 2,
                },
              ],
            },
          ],
        });
      } else if (i.isStringSelectMenu())
        await i.update({ content: `picked ${i.values.join("+")}`, components: [] });
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    const s = await w.emu.select({
      user: w.alice,
      message: r.message ?? "",
      customId: "pick",
      values: ["a", "c"],
    });
    expect(s.message?.content).toBe("picked a+c");
  });

  test("THEN observers hear about interactions, messages and rejections", async () => {
    const seen: string[] = [];
    const offs = [
      w.emu.on("interaction", (x) => seen.push(`interaction ${x.commandName}`)),
      w.emu.on("messageCreate", (m) => seen.push(`create ${m.content}`)),
      w.emu.on("rejection", (x) => seen.push(`rejection ${x.code}`)),
    ];
    w.onCommand((i) => i.reply("hello"));
    await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    await w.client.rest.post(Routes.channelMessages(w.channel.id), { body: {} }).catch(() => undefined);
    for (const off of offs) off();
    expect(seen).toEqual(["interaction ping", "create hello", "rejection 50006"]);
  });
});

describe("GIVEN autocomplete and modals", () => {
  test("THEN autocomplete returns the bot's choices, and more than 25 are refused with 50035", async () => {
    w.on(async (i) => {
      if (!i.isAutocomplete()) return;
      const typed = i.options.getFocused();
      const many = typed === "many";
      const names = many ? Array.from({ length: 26 }, (_, n) => `deck${n}`) : ["pytorch", "python", "rust"];
      await i.respond(names.filter((n) => many || n.startsWith(typed)).map((n) => ({ name: n, value: n })));
    });
    const choices = await w.emu.autocomplete({
      user: w.alice,
      channel: w.channel,
      command: "deck subscribe",
      options: { deck: "py" },
      focused: "deck",
    });
    expect(choices.map((c) => c.value)).toEqual(["pytorch", "python"]);
    const pending = w.emu.autocomplete({
      user: w.alice,
      channel: w.channel,
      command: "deck subscribe",
      options: { deck: "many" },
      focused: "deck",
      timeoutMs: 500,
    });
    const error = (await w.nextError()) as DiscordAPIError;
    expect(error.code).toBe(50035);
    await expect(pending).rejects.toThrow(/did not answer[\s\S]*50035/);
  });

  test("THEN a modal is recorded and its submission reaches the bot", async () => {
    w.on(async (i) => {
      if (i.isChatInputCommand()) {
        const input = new TextInputBuilder()
          .setCustomId("text")
          .setLabel("Your feedback")
          .setStyle(TextInputStyle.Short);
        await i.showModal(
          new ModalBuilder()
            .setCustomId("feedback")
            .setTitle("Feedback")
            .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input)),
        );
      } else if (i.isModalSubmit()) {
        await i.reply({
          content: `thanks: ${i.fields.getTextInputValue("text")}`,
          flags: MessageFlags.Ephemeral,
        });
      }
    });
    const opened = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "feedback" });
    expect(opened.modal?.title).toBe("Feedback");
    const sent = await w.emu.submitModal({ user: w.bob, interaction: opened, values: { text: "great" } });
    expect(sent.message?.content).toBe("thanks: great");
    expect(sent.message?.visibleTo).toBe(w.bob.id);
  });
});
