/** A throwaway discord.js client and a small world for emulator tests (this is not the bot). */
import {
  type ApplicationCommandDataResolvable,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
} from "discord.js";
import { DiscordEmulator, type EmulatorOptions } from "../../src/emulator/index.ts";

export async function connectClient(emu: DiscordEmulator): Promise<Client<true>> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emu.apiUrl } });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(emu.token);
  await ready;
  return client as Client<true>;
}

type Handler = (i: Interaction) => Promise<unknown> | unknown;

/** Guild "Study Group" with #study, alice (admin) and bob; one connected client; handlers swapped per test. */
export async function startWorld(
  opts: EmulatorOptions = {},
  commands: ApplicationCommandDataResolvable[] = [],
) {
  const emu = await DiscordEmulator.start(opts);
  const guild = emu.addGuild({ name: "Study Group" });
  const channel = emu.addChannel(guild.id, { name: "study" });
  const alice = emu.addUser({ name: "alice", guildId: guild.id, admin: true });
  const bob = emu.addUser({ name: "bob", guildId: guild.id });
  const client = await connectClient(emu);
  const errors: unknown[] = [];
  const errorWaiters: Array<(e: unknown) => void> = [];
  let handler: Handler = () => {};
  client.on(Events.InteractionCreate, async (i) => {
    try {
      await handler(i);
    } catch (error) {
      const waiter = errorWaiters.shift();
      if (waiter) waiter(error);
      else errors.push(error);
    }
  });
  if (commands.length > 0) await client.application.commands.set(commands, guild.id);
  return {
    emu,
    guild,
    channel,
    alice,
    bob,
    client,
    /** Errors thrown by handlers (e.g. DiscordAPIError from a refused request). */
    errors,
    on(h: Handler) {
      handler = h;
    },
    onCommand(h: (i: ChatInputCommandInteraction) => Promise<unknown> | unknown) {
      handler = (i) => (i.isChatInputCommand() ? h(i) : undefined);
    },
    /** The next error a handler throws (e.g. the DiscordAPIError of a refused request). */
    nextError(ms = 3000): Promise<unknown> {
      if (errors.length > 0) return Promise.resolve(errors.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no handler error within ${ms} ms`)), ms);
        errorWaiters.push((e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
    },
    async stop() {
      await client.destroy();
      await emu.stop();
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
