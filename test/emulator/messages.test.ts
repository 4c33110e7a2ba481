import { deflateSync } from "node:zlib";
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  PermissionFlagsBits,
  Routes,
  type TextChannel,
} from "discord.js";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startWorld, type World } from "./client.ts";

/** A real 3×2 RGBA PNG, built by hand so the test can decode what the emulator stored. */
function tinyPng(): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(3, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(2 * (1 + 3 * 4), 0x7f);
  raw[0] = 0;
  raw[13] = 0;
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a", "hex"),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

let w: World;
let study: TextChannel;
beforeAll(async () => {
  w = await startWorld({}, [{ name: "ping", description: "Ping" }]);
  study = w.client.channels.cache.get(w.channel.id) as TextChannel;
});
afterAll(async () => w?.stop());
beforeEach(() => w.emu.clearRejections());

const apiError = async (p: Promise<unknown>): Promise<DiscordAPIError> => {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(e instanceof DiscordAPIError)) throw new Error(`expected a DiscordAPIError, got ${String(e)}`);
  return e;
};

describe("GIVEN allowed_mentions", () => {
  test("THEN parse: [] with @everyone pings nobody, and without allowed_mentions it pings every member", async () => {
    const quiet = await study.send({ content: "@everyone study time", allowedMentions: { parse: [] } });
    expect(w.emu.message(quiet.id)?.pings).toEqual([]);
    const loud = await study.send({ content: "@everyone study time" });
    expect(w.emu.message(loud.id)?.pings).toEqual([w.alice.id, w.bob.id].sort());
  });

  test("THEN a users list pings exactly the listed users who are mentioned", async () => {
    const carol = w.emu.addUser({ name: "carol", guildId: w.guild.id });
    const m = await study.send({
      content: `<@${w.alice.id}> <@!${w.bob.id}> <@${carol.id}>`,
      allowedMentions: { users: [w.bob.id, carol.id] },
    });
    expect(w.emu.message(m.id)?.pings).toEqual([w.bob.id, carol.id].sort());
    expect(w.emu.pingsOf(w.alice).map((x) => x.id)).not.toContain(m.id);
  });

  test("THEN a role mention pings the role's members only when roles are parsed", async () => {
    const role = w.emu.addRole(w.guild.id, { name: "learners" });
    const dave = w.emu.addUser({ name: "dave", guildId: w.guild.id, roles: [role.id] });
    const yes = await study.send({ content: `<@&${role.id}> quiz!`, allowedMentions: { parse: ["roles"] } });
    const no = await study.send({ content: `<@&${role.id}> quiz!`, allowedMentions: { parse: ["users"] } });
    expect(w.emu.message(yes.id)?.pings).toEqual([dave.id]);
    expect(w.emu.message(no.id)?.pings).toEqual([]);
  });

  test("THEN a reply pings the replied-to author unless replied_user is false", async () => {
    const question = w.emu.postAsUser(w.bob, w.channel, "what is a tensor?");
    const loud = await study.send({ content: "answer", reply: { messageReference: question.id } });
    const quiet = await study.send({
      content: "answer",
      reply: { messageReference: question.id },
      allowedMentions: { repliedUser: false },
    });
    expect(w.emu.message(loud.id)?.pings).toEqual([w.bob.id]);
    expect(w.emu.message(quiet.id)?.pings).toEqual([]);
  });

  test("THEN the first edit of a deferred reply pings (it is the send), later edits never do", async () => {
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => {
      done = r;
    });
    w.onCommand(async (i) => {
      await i.deferReply();
      await i.editReply(`<@${w.bob.id}> your turn`);
      await i.editReply(`<@${w.bob.id}> <@${w.alice.id}> your turn`);
      done();
    });
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    await finished;
    expect(r.message?.history).toHaveLength(2);
    expect(r.message?.pings).toEqual([w.bob.id]);
  });

  test("THEN parse users together with a users list is refused with 50035", async () => {
    const e = await apiError(
      study.send({ content: `<@${w.bob.id}>`, allowedMentions: { parse: ["users"], users: [w.bob.id] } }),
    );
    expect([e.status, e.code]).toEqual([400, 50035]);
  });
});

describe("GIVEN files", () => {
  test("THEN a multipart upload is stored with name, type, size and bytes, and served over HTTP", async () => {
    const png = tinyPng();
    const sent = await study.send({
      content: "chart",
      files: [new AttachmentBuilder(png, { name: "chart.png" })],
    });
    const stored = w.emu.message(sent.id);
    const att = stored?.attachments[0];
    expect(att?.filename).toBe("chart.png");
    expect(att?.content_type).toBe("image/png");
    expect(att?.size).toBe(png.length);
    expect(att?.data.equals(png)).toBe(true);
    expect([att?.width, att?.height]).toEqual([3, 2]);
    expect(sent.attachments.first()?.url).toBe(att?.url);
    const served = Buffer.from(await (await fetch(att?.url ?? "")).arrayBuffer());
    expect(served.equals(png)).toBe(true);
  });

  test("THEN a reply with a file through the interaction callback stores it too", async () => {
    w.onCommand((i) =>
      i.reply({ files: [new AttachmentBuilder(Buffer.from("a,b\n1,2\n"), { name: "stats.csv" })] }),
    );
    const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "ping" });
    expect(r.message?.attachments[0]?.data.toString()).toBe("a,b\n1,2\n");
    expect(r.message?.attachments[0]?.filename).toBe("stats.csv");
  });

  test("THEN an edit keeps listed attachments and history records the old version", async () => {
    const sent = await study.send({
      content: "v1",
      files: [new AttachmentBuilder(Buffer.from("x"), { name: "x.txt" })],
    });
    await sent.edit({ content: "v2" });
    const stored = w.emu.message(sent.id);
    expect(stored?.content).toBe("v2");
    expect(stored?.attachments.map((a) => a.filename)).toEqual(["x.txt"]);
    expect(stored?.history.map((v) => v.content)).toEqual(["v1"]);
    expect(stored?.edited_timestamp).toBeTypeOf("number");
  });
});

describe("GIVEN Discord's limits", () => {
  const button = (id: string) =>
    new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Primary);

  test.each([
    ["content over 2000", { content: "x".repeat(2001) }, "content"],
    ["11 embeds", { embeds: Array.from({ length: 11 }, () => ({ title: "t" })) }, "embeds"],
    ["embed title over 256", { embeds: [{ title: "t".repeat(257) }] }, "embeds"],
    ["embed description over 4096", { embeds: [{ description: "d".repeat(4097) }] }, "embeds"],
    ["field value over 1024", { embeds: [{ fields: [{ name: "n", value: "v".repeat(1025) }] }] }, "embeds"],
    [
      "26 fields",
      { embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: "n", value: "v" })) }] },
      "embeds",
    ],
    [
      "embeds over 6000 in total",
      { embeds: [0, 1].map(() => new EmbedBuilder().setDescription("d".repeat(3001)).toJSON()) },
      "embeds",
    ],
    [
      "6 action rows",
      {
        components: Array.from({ length: 6 }, (_, n) =>
          new ActionRowBuilder<ButtonBuilder>().addComponents(button(`b${n}`)),
        ),
      },
      "components",
    ],
    [
      "6 buttons in a row",
      { components: [{ type: 1, components: [1, 2, 3, 4, 5, 6].map((n) => button(`b${n}`).toJSON()) }] },
      "components",
    ],
    [
      "a label over 80",
      {
        components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: "a", label: "l".repeat(81) }] }],
      },
      "components",
    ],
    [
      "a custom_id over 100",
      {
        components: [
          { type: 1, components: [{ type: 2, style: 1, custom_id: "c".repeat(101), label: "x" }] },
        ],
      },
      "components",
    ],
    [
      "a duplicated custom_id",
      { components: [{ type: 1, components: [button("same").toJSON(), button("same").toJSON()] }] },
      "components",
    ],
    [
      "a link button without url",
      { components: [{ type: 1, components: [{ type: 2, style: 5, label: "docs" }] }] },
      "components",
    ],
    [
      "26 select options",
      {
        components: [
          {
            type: 1,
            components: [
              {
                type: 3,
                custom_id: "s",
                options: Array.from({ length: 26 }, (_, n) => ({ label: `o${n}`, value: `o${n}` })),
              },
            ],
          },
        ],
      },
      "components",
    ],
  ])("THEN %s is refused with 400 50035 and recorded", async (_name, body, field) => {
    const e = await apiError(w.client.rest.post(Routes.channelMessages(w.channel.id), { body }));
    expect([e.status, e.code]).toEqual([400, 50035]);
    expect(Object.keys((e.rawError as { errors?: object }).errors ?? {})).toContain(field);
    expect(w.emu.rejections).toHaveLength(1);
    expect(w.emu.rejections[0]).toMatchObject({ method: "POST", status: 400, code: 50035 });
  });

  test("THEN an empty message is refused with 400 50006", async () => {
    const e = await apiError(
      w.client.rest.post(Routes.channelMessages(w.channel.id), { body: { content: "" } }),
    );
    expect([e.status, e.code]).toEqual([400, 50006]);
  });

  test("THEN an unknown route answers Discord's JSON 404", async () => {
    const e = await apiError(w.client.rest.get("/guilds/1/bans" as `/${string}`));
    expect([e.status, e.code, e.message]).toEqual([404, 0, "404: Not Found"]);
  });
});

describe("GIVEN channel permissions and deletion", () => {
  test("THEN a channel the bot may not send in answers 403 50013, and discord.js sees the overwrite", async () => {
    const locked = w.emu.addChannel(w.guild.id, { name: "announcements" });
    const updated = new Promise((r) => w.client.once(Events.ChannelUpdate, r));
    w.emu.setChannelPermissions(locked.id, { send: false });
    await updated;
    const channel = w.client.channels.cache.get(locked.id) as TextChannel;
    expect(channel.permissionsFor(w.client.user)?.has(PermissionFlagsBits.SendMessages)).toBe(false);
    const e = await apiError(channel.send("hello"));
    expect([e.status, e.code]).toEqual([403, 50013]);
    expect(w.emu.rejections[0]).toMatchObject({ status: 403, code: 50013 });
  });

  test("THEN a deleted channel dispatches CHANNEL_DELETE and answers 404 10003", async () => {
    const created = new Promise((r) => w.client.once(Events.ChannelCreate, r));
    const doomed = w.emu.addChannel(w.guild.id, { name: "old-quiz" });
    await created;
    const deleted = new Promise((r) => w.client.once(Events.ChannelDelete, r));
    w.emu.deleteChannel(doomed.id);
    await deleted;
    expect(w.client.channels.cache.has(doomed.id)).toBe(false);
    const e = await apiError(
      w.client.rest.post(Routes.channelMessages(doomed.id), { body: { content: "hi" } }),
    );
    expect([e.status, e.code]).toEqual([404, 10003]);
    expect(w.client.channels.cache.get(w.channel.id)?.type).toBe(ChannelType.GuildText);
  });
});
