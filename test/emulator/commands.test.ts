import { DiscordAPIError, Routes } from "discord.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorld, type World } from "./client.ts";

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.stop());

const put = (body: unknown, guildId?: string) =>
  w.client.rest.put(
    guildId
      ? Routes.applicationGuildCommands(w.emu.applicationId, guildId)
      : Routes.applicationCommands(w.emu.applicationId),
    { body },
  );

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(e instanceof DiscordAPIError)) throw new Error("expected a DiscordAPIError");
  return e;
};

describe("GIVEN command registration over REST", () => {
  test("THEN valid global commands are stored with ids, and a re-PUT keeps ids of same-named commands", async () => {
    const first = (await put([
      { name: "study", description: "Start studying" },
      { name: "quiz", description: "Daily quiz", options: [{ type: 3, name: "deck", description: "Deck" }] },
    ])) as Array<{ id: string; name: string; application_id: string }>;
    expect(first.map((c) => c.name)).toEqual(["study", "quiz"]);
    expect(first.every((c) => /^\d+$/.test(c.id) && c.application_id === w.emu.applicationId)).toBe(true);
    const second = (await put([{ name: "study", description: "Study now" }])) as Array<{ id: string }>;
    expect(second[0]?.id).toBe(first[0]?.id);
    expect(w.emu.commands().map((c) => c.description)).toEqual(["Study now"]);
    const fetched = await w.client.application.commands.fetch();
    expect([...fetched.values()].map((c) => c.name)).toEqual(["study"]);
  });

  test("THEN guild commands are kept per guild, via discord.js's own manager", async () => {
    await w.client.application.commands.set([{ name: "deck", description: "Decks" }], w.guild.id);
    expect(w.emu.commands(w.guild.id).map((c) => c.name)).toEqual(["deck"]);
    expect(w.emu.commands(w.guild.id)[0]?.guild_id).toBe(w.guild.id);
  });

  test.each([
    ["an uppercase name", [{ name: "Study", description: "x" }]],
    ["a name with a space", [{ name: "two words", description: "x" }]],
    ["a name over 32", [{ name: "a".repeat(33), description: "x" }]],
    ["an empty description", [{ name: "study", description: "" }]],
    ["a description over 100", [{ name: "study", description: "d".repeat(101) }]],
    [
      "26 options",
      [
        {
          name: "study",
          description: "x",
          options: Array.from({ length: 26 }, (_, n) => ({ type: 3, name: `o${n}`, description: "o" })),
        },
      ],
    ],
    [
      "26 choices",
      [
        {
          name: "study",
          description: "x",
          options: [
            {
              type: 3,
              name: "o",
              description: "o",
              choices: Array.from({ length: 26 }, (_, n) => ({ name: `c${n}`, value: `c${n}` })),
            },
          ],
        },
      ],
    ],
    [
      "a required option after an optional one",
      [
        {
          name: "study",
          description: "x",
          options: [
            { type: 3, name: "a", description: "a" },
            { type: 3, name: "b", description: "b", required: true },
          ],
        },
      ],
    ],
    [
      "duplicate command names",
      [
        { name: "study", description: "x" },
        { name: "study", description: "y" },
      ],
    ],
  ])("THEN %s is refused with 400 50035", async (_name, body) => {
    const before = w.emu.commands();
    const e = await refusal(put(body));
    expect([e.status, e.code, (e.rawError as { message: string }).message]).toEqual([
      400,
      50035,
      "Invalid Form Body",
    ]);
    expect(w.emu.commands()).toEqual(before);
    expect(w.emu.rejections.at(-1)).toMatchObject({ method: "PUT", status: 400, code: 50035 });
  });

  test("THEN a request without the bot token is refused with 401", async () => {
    const res = await fetch(`${w.emu.apiUrl}/v10/applications/${w.emu.applicationId}/commands`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "401: Unauthorized", code: 0 });
  });
});
