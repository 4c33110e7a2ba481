import {
  ApplicationCommandOptionType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  PermissionFlagsBits,
} from "discord.js";
import { EXPORT_FORMATS, type ExportFormat } from "../src/core/decks/convert.ts";
import { DECK_FORMATS, type DeckFormat, FORMAT_NAMES, type ParseOptions } from "../src/core/decks/parse.ts";
import { resolveSeparator } from "../src/core/decks/tsv.ts";
import { UserError } from "../src/core/errors.ts";
import { clickedView, ownView } from "../src/discord/clicked-view.ts";
import type { ButtonHandler, Command, Ctx } from "../src/discord/command.ts";
import { COLORS } from "../src/render/components.ts";
import { subscribedLine } from "../src/render/deck-lines.ts";
import {
  DECK_PREFIX,
  type DeckAction,
  parseDeckId,
  renderExported,
  renderImportCancelled,
  renderImportConfirm,
  renderImported,
  renderImportStale,
  renderRemoveCancelled,
  renderRemoveConfirm,
  renderRemoved,
} from "../src/render/deck-view.ts";
import { clip, LIMITS, NO_PINGS } from "../src/render/limits.ts";
import { plural } from "../src/render/plural.ts";
import { exportDeckFile } from "../src/services/deck-export.ts";
import {
  checkRemovable,
  downloadAttachment,
  type ImportScope,
  importDeckInSlices,
  PENDING_FILE_NAME,
  removeDeck,
  searchManageableDecks,
} from "../src/services/deck-import.ts";
import {
  type DeckSummary,
  listDecks,
  newLeftToday,
  searchDecks,
  subscribe,
  unsubscribe,
} from "../src/services/decks.ts";

const deckOption = (description: string) => ({
  type: ApplicationCommandOptionType.String as const,
  name: "deck",
  description,
  required: true,
  autocomplete: true,
});

/** Who acts, and whether they hold Manage Server here, read from the interaction at run time. */
function actor(i: ChatInputCommandInteraction | ButtonInteraction) {
  return {
    userId: i.user.id,
    guildId: i.guildId,
    canManageServer: i.inGuild() && (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false),
  };
}

function separatorOption(i: ChatInputCommandInteraction, name: string): string | undefined {
  const raw = i.options.getString(name);
  if (raw === null) return undefined;
  const sep = resolveSeparator(raw);
  if (!sep.ok) throw new UserError(`\`${name}\`: ${sep.reason}.`);
  return sep.value;
}

async function runImport(i: ChatInputCommandInteraction, ctx: Ctx) {
  const who = actor(i);
  const file = i.options.getAttachment("file", true);
  const scope = (i.options.getString("scope") ?? "personal") as ImportScope;
  if (scope === "server" && !who.canManageServer) {
    throw new UserError(
      who.guildId === null
        ? "Server decks can only be imported in a server."
        : "Server decks need the **Manage Server** permission. Import it as a personal deck (`scope: personal`) instead, or ask a moderator.",
    );
  }
  const parse: ParseOptions = {};
  const format = i.options.getString("format");
  if (format !== null) parse.format = format as DeckFormat;
  const termSeparator = separatorOption(i, "term_separator");
  const rowSeparator = separatorOption(i, "row_separator");
  if (termSeparator !== undefined) parse.termSeparator = termSeparator;
  if (rowSeparator !== undefined) parse.rowSeparator = rowSeparator;
  // Acknowledge first: the download and a 5,000-card import take longer than a click should wait for, and
  // the import runs in slices (importDeckInSlices) so other members' clicks are answered meanwhile.
  await ctx.respond.defer();
  const bytes = await downloadAttachment({ url: file.url, name: file.name, size: file.size });
  const outcome = await importDeckInSlices(ctx.deps, {
    ...who,
    fileName: file.name,
    bytes,
    parse,
    scope,
    ...(i.options.getString("name") !== null && { name: i.options.getString("name") ?? "" }),
    ...(i.options.getString("deck") !== null && { deckId: i.options.getString("deck") ?? "" }),
  });
  if (outcome.kind === "confirm") await ctx.respond.reply(renderImportConfirm(i.user.id, outcome));
  else if (outcome.kind === "imported") await ctx.respond.reply(renderImported(outcome));
  else await ctx.respond.reply(renderImportStale());
}

/** The question's own file: the bot's native rendering of a ≤ 1 MiB import, somewhat larger at most. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * "Update it" / "Import as a new deck" under an import's question: imports the cards of the question's attached
 * file, but only while the deck is as it was when asked (the fingerprint; else it says so and changes nothing).
 */
async function confirmImport(
  i: ButtonInteraction,
  { deps, respond }: Ctx,
  action: Extract<DeckAction, { action: "import-update" | "import-new" }>,
) {
  const file = i.message.attachments.find((a) => a.name === PENDING_FILE_NAME);
  // The answer drops the file: a click on a question already answered finds none.
  if (file === undefined)
    throw new UserError("This question was already answered. Nothing more was imported.");
  // The file is this message's; the id must be one of its buttons too, or another question's id (its deck, its
  // fingerprint) would put this file where no question asked.
  if (!clickedView(i).onMessage)
    throw new UserError("This button is not this question's. Nothing was imported.");
  await respond.defer();
  const bytes = await downloadAttachment(
    { url: file.url, name: file.name, size: file.size },
    { maxBytes: MAX_PENDING_BYTES },
  );
  const outcome = await importDeckInSlices(deps, {
    ...actor(i),
    fileName: file.name,
    bytes,
    maxBytes: MAX_PENDING_BYTES,
    parse: { format: "native" },
    shownFormat: action.format,
    ...(action.action === "import-update"
      ? {
          scope: "personal",
          deckId: action.deckId,
          confirmed: { asNew: false, fingerprint: action.fingerprint },
        }
      : { scope: action.scope, confirmed: { asNew: true, fingerprint: action.fingerprint } }),
  });
  if (outcome.kind === "imported") await respond.update({ ...renderImported(outcome), attachments: [] });
  // A separate answer, not an edit: in a double click the other click's import is what the question shows.
  else await respond.reply(renderImportStale(), { ephemeral: true });
}

const NOT_YOURS = "This button belongs to someone else's command.";

const onDeckButton: ButtonHandler = async (i, ctx) => {
  const action = parseDeckId(i.customId);
  if (action === null) throw new UserError("This button is no longer supported. Run the command again.");
  if (action.userId !== i.user.id) throw new UserError(NOT_YOURS);
  // An id naming the clicker proves nothing (a client can craft it): the message must be theirs too, or its
  // file (someone else's cards) would be imported as the clicker's and the message replaced.
  ownView(i, NOT_YOURS);
  if (action.action === "cancel") {
    await ctx.respond.update(renderRemoveCancelled());
    return;
  }
  if (action.action === "import-cancel") {
    await ctx.respond.update(renderImportCancelled());
    return;
  }
  if (action.action === "import-update" || action.action === "import-new")
    return confirmImport(i, ctx, action);
  const removed = removeDeck(ctx.deps, actor(i), action.deckId);
  await ctx.respond.update(renderRemoved(removed));
};

/** A deck you study shows what is due; one you do not shows no due count, only the progress it keeps for you. */
function deckCounts(d: DeckSummary): string {
  if (d.subscribed) return `${d.due} due · ${d.unseen} new · ${d.total} total`;
  if (d.seen > 0) return `not studied · your progress on ${d.seen} of ${d.total} cards is kept`;
  return plural(d.total, "card");
}

export default {
  data: {
    name: "deck",
    description: "Browse decks, choose what you study, import and export your own",
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "list",
        description: "Decks in this server, with your due and new counts",
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "subscribe",
        description: "Start studying a deck",
        options: [deckOption("The deck to study")],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "unsubscribe",
        description: "Stop studying a deck (your progress is kept)",
        options: [deckOption("The deck to drop")],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "import",
        description: "Import a deck file: Anki, CSV, TSV/Quizlet, Brainscape or native (≤ 1 MiB)",
        options: [
          {
            type: ApplicationCommandOptionType.Attachment,
            name: "file",
            description: "The deck file (UTF-8 text, at most 1 MiB)",
            required: true,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "name",
            description: "Deck name (default: the name in the file, or the file name)",
            max_length: 100,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "format",
            description: "The file's format (default: detected)",
            choices: DECK_FORMATS.map((f) => ({ name: FORMAT_NAMES[f], value: f })),
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "scope",
            description:
              "Personal (only you) or server (everyone here; needs Manage Server). Default personal",
            choices: [
              { name: "personal", value: "personal" },
              { name: "server", value: "server" },
            ],
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "deck",
            description: "Update this imported deck (default: the deck with the same name, or a new one)",
            autocomplete: true,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "term_separator",
            description: "TSV/Quizlet: between term and definition (tab, comma, semicolon, or the text)",
            max_length: 20,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "row_separator",
            description: "TSV/Quizlet: between rows (newline, semicolon, or the text)",
            max_length: 20,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "export",
        description: "Download a deck as a file (native, Anki or CSV)",
        options: [
          deckOption("The deck to export"),
          {
            type: ApplicationCommandOptionType.String,
            name: "format",
            description: "File format",
            required: true,
            choices: EXPORT_FORMATS.map((f) => ({ name: FORMAT_NAMES[f], value: f })),
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "remove",
        description: "Remove an imported deck (yours, or a server deck with Manage Server); history is kept",
        options: [deckOption("The deck to remove")],
      },
    ],
  },
  async execute(i, ctx) {
    const { deps, respond } = ctx;
    const sub = i.options.getSubcommand();
    if (sub === "list") {
      const decks = listDecks(deps, i.user.id, i.guildId);
      const newLeft = newLeftToday(deps, i.user.id, i.guildId);
      const lines = decks.map(
        (d) => `${d.subscribed ? "✅" : "▫️"} **${d.name}** \`${d.id}\` — ${deckCounts(d)}`,
      );
      await respond.reply({
        embeds: [
          {
            color: COLORS.info,
            title: "Decks",
            description: clip(lines.join("\n") || "No decks here yet.", LIMITS.embedDescription),
            footer: {
              text: `✅ = subscribed · you can start ${plural(newLeft, "new card")} today · /deck subscribe to add one`,
            },
          },
        ],
        allowed_mentions: NO_PINGS,
      });
      return;
    }
    if (sub === "import") return runImport(i, ctx);
    if (sub === "export") {
      const exported = exportDeckFile(
        deps,
        i.user.id,
        i.guildId,
        i.options.getString("deck", true),
        i.options.getString("format", true) as ExportFormat,
      );
      await respond.reply(renderExported(exported));
      return;
    }
    if (sub === "remove") {
      const deck = checkRemovable(deps.db, actor(i), i.options.getString("deck", true));
      await respond.reply(renderRemoveConfirm(i.user.id, deck));
      return;
    }
    const deckId = i.options.getString("deck", true);
    const r =
      sub === "subscribe"
        ? subscribe(deps, i.user.id, i.guildId, deckId)
        : unsubscribe(deps, i.user.id, i.guildId, deckId);
    const name = `**${r.deck.name}**`;
    const content =
      sub === "subscribe"
        ? subscribedLine(r.deck.name, r.changed)
        : r.changed
          ? `Unsubscribed from ${name}. Your progress is kept if you come back.`
          : `You were not subscribed to ${name}.`;
    await respond.reply({ content, allowed_mentions: NO_PINGS });
  },
  async autocomplete(i, { deps }) {
    const q = String(i.options.getFocused());
    const sub = i.options.getSubcommand(false);
    const canManageServer =
      i.inGuild() && (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false);
    const found =
      sub === "import" || sub === "remove"
        ? searchManageableDecks(deps.db, i.user.id, i.guildId, canManageServer, q)
        : searchDecks(deps.db, i.user.id, i.guildId, q);
    await i.respond(
      found.map((d) => ({
        name: clip(`${d.name} (${d.id})`, LIMITS.choiceName),
        value: d.id,
      })),
    );
  },
  buttons: { [DECK_PREFIX]: onDeckButton },
} satisfies Command;
