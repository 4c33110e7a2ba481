import {
  ApplicationCommandOptionType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from "discord.js";
import { DECK_FORMATS, type DeckFormat, FORMAT_NAMES, type ParseOptions } from "../src/core/decks/parse.ts";
import { resolveSeparator } from "../src/core/decks/tsv.ts";
import { UserError } from "../src/core/errors.ts";
import { clickedView, ownView } from "../src/discord/clicked-view.ts";
import type { ButtonHandler, Command, Ctx } from "../src/discord/command.ts";
import { canManageServer } from "../src/discord/guards.ts";
import { choiceOption } from "../src/discord/options.ts";
import type { T } from "../src/i18n/translate.ts";
import { renderReports } from "../src/render/card-view.ts";
import {
  DECK_PREFIX,
  type DeckAction,
  deckChoices,
  parseDeckId,
  renderDeckList,
  renderExported,
  renderImportCancelled,
  renderImportConfirm,
  renderImported,
  renderImportStale,
  renderRemoveCancelled,
  renderRemoveConfirm,
  renderRemoved,
  renderSubscription,
} from "../src/render/deck-view.ts";
import { parseUnsuspendId, renderSuspended, SUSPENDED_PREFIX } from "../src/render/suspended-view.ts";
import { reportsView } from "../src/services/card-fix.ts";
import { DECK_EXPORT_FORMATS, exportDeckFile } from "../src/services/deck-export.ts";
import {
  checkImportScope,
  checkRemovable,
  confirmPendingImport,
  type ImportOutcome,
  importAttachment,
  isPendingFile,
  removeDeck,
  searchManageableDecks,
} from "../src/services/deck-import.ts";
import { deckListView, searchDecks, subscribe, unsubscribe } from "../src/services/decks.ts";
import { suspendedView, unsuspend } from "../src/services/study-holds.ts";

const deckOption = (description: string) => ({
  type: ApplicationCommandOptionType.String as const,
  name: "deck",
  description,
  required: true,
  autocomplete: true,
});

const SCOPES = ["personal", "server"] as const;

/** Who acts, and whether they hold Manage Server here, read from the interaction at run time. */
function actor(i: ChatInputCommandInteraction | ButtonInteraction) {
  return { userId: i.user.id, guildId: i.guildId, canManageServer: canManageServer(i) };
}

function separatorOption(i: ChatInputCommandInteraction, name: string): string | undefined {
  const raw = i.options.getString(name);
  if (raw === null) return undefined;
  const sep = resolveSeparator(raw);
  if (!sep.ok) throw new UserError(`\`${name}\`: ${sep.reason}.`);
  return sep.value;
}

function parseOptions(i: ChatInputCommandInteraction): ParseOptions {
  const parse: ParseOptions = {};
  const format = choiceOption(i, "format", DECK_FORMATS);
  if (format !== null) parse.format = format;
  const termSeparator = separatorOption(i, "term_separator");
  const rowSeparator = separatorOption(i, "row_separator");
  if (termSeparator !== undefined) parse.termSeparator = termSeparator;
  if (rowSeparator !== undefined) parse.rowSeparator = rowSeparator;
  return parse;
}

const renderOutcome = (userId: string, outcome: ImportOutcome, t: T) =>
  outcome.kind === "confirm"
    ? renderImportConfirm(userId, outcome, t)
    : outcome.kind === "imported"
      ? renderImported(outcome, t)
      : renderImportStale(t);

async function runImport(i: ChatInputCommandInteraction, { deps, respond, t }: Ctx) {
  const file = i.options.getAttachment("file", true);
  const who = {
    ...actor(i),
    scope: choiceOption(i, "scope", SCOPES, "personal"),
    progress: i.options.getBoolean("import_progress") === true,
  };
  // Refused before the options are read or anything is downloaded.
  checkImportScope(who);
  const parse = parseOptions(i);
  const name = i.options.getString("name");
  const deckId = i.options.getString("deck");
  const outcome = await importAttachment(
    deps,
    { url: file.url, name: file.name, size: file.size },
    {
      ...who,
      parse,
      ...(name !== null && { name }),
      ...(deckId !== null && { deckId }),
    },
    () => respond.defer(),
  );
  await respond.reply(renderOutcome(i.user.id, outcome, t));
}

/**
 * "Update it" / "Import as a new deck" under an import's question: imports the cards of the question's attached
 * file, but only while the deck is as it was when asked (the fingerprint; else it says so and changes nothing).
 */
async function confirmImport(
  i: ButtonInteraction,
  { deps, respond, t }: Ctx,
  action: Extract<DeckAction, { action: "import-update" | "import-new" }>,
) {
  const file = i.message.attachments.find((a) => isPendingFile(a.name));
  // The answer drops the file: a click on a question already answered finds none.
  if (file === undefined)
    throw new UserError("This question was already answered. Nothing more was imported.");
  // The file is this message's; the id must be one of its buttons too, or another question's id (its deck, its
  // fingerprint) would put this file where no question asked.
  if (!clickedView(i).onMessage)
    throw new UserError("This button is not this question's. Nothing was imported.");
  const outcome = await confirmPendingImport(
    deps,
    actor(i),
    { url: file.url, name: file.name, size: file.size },
    action.action === "import-update"
      ? { asNew: false, deckId: action.deckId, ...answerOf(action) }
      : { asNew: true, scope: action.scope, ...answerOf(action) },
    () => respond.defer(),
  );
  if (outcome.kind === "imported") await respond.update({ ...renderImported(outcome, t), attachments: [] });
  // A separate answer, not an edit: in a double click the other click's import is what the question shows.
  else await respond.reply(renderImportStale(t), { ephemeral: true });
}

/** What both confirm buttons carry for the import. */
const answerOf = (a: { format: DeckFormat; fingerprint: string; progress: boolean }) => ({
  format: a.format,
  fingerprint: a.fingerprint,
  progress: a.progress,
});

const NOT_YOURS = "This button belongs to someone else's command.";

const onDeckButton: ButtonHandler = async (i, ctx) => {
  const action = parseDeckId(i.customId);
  if (action === null) throw new UserError("This button is no longer supported. Run the command again.");
  if (action.userId !== i.user.id) throw new UserError(NOT_YOURS);
  // An id naming the clicker proves nothing (a client can craft it): the message must be theirs too, or its
  // file (someone else's cards) would be imported as the clicker's and the message replaced.
  ownView(i, NOT_YOURS);
  if (action.action === "cancel") {
    await ctx.respond.update(renderRemoveCancelled(ctx.t));
    return;
  }
  if (action.action === "import-cancel") {
    await ctx.respond.update(renderImportCancelled(ctx.t));
    return;
  }
  if (action.action === "import-update" || action.action === "import-new")
    return confirmImport(i, ctx, action);
  const removed = await removeDeck(ctx.deps, actor(i), action.deckId);
  await ctx.respond.update(renderRemoved(removed, ctx.t));
};

/** Unsuspend (one card, or all) under `/deck suspended`: the list is its owner's alone, as a study message. */
const onUnsuspendButton: ButtonHandler = async (i, ctx) => {
  const action = parseUnsuspendId(i.customId);
  if (action === null) throw new UserError("This button is no longer supported. Run the command again.");
  if (action.userId !== i.user.id) throw new UserError(NOT_YOURS);
  ownView(i, NOT_YOURS);
  const view = await unsuspend(ctx.deps, i.user.id, i.guildId, action.deckId, action.cardId, ctx.t);
  await ctx.respond.update(renderSuspended(view, ctx.t));
};

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
          {
            type: ApplicationCommandOptionType.Boolean,
            name: "import_progress",
            description:
              "Anki package, personal deck: bring your review history and keep your Anki schedule (default no)",
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "export",
        description: "Download a deck as a file (native, Anki text or package, or CSV)",
        options: [
          deckOption("The deck to export"),
          {
            type: ApplicationCommandOptionType.String,
            name: "format",
            description: "File format",
            required: true,
            choices: DECK_EXPORT_FORMATS.map((f) => ({
              name: f === "apkg" ? "Anki package (with images)" : FORMAT_NAMES[f],
              value: f,
            })),
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "suspended",
        description: "Your suspended cards of a deck, to unsuspend",
        options: [deckOption("The deck")],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "remove",
        description: "Remove an imported deck (yours, or a server deck with Manage Server); history is kept",
        options: [deckOption("The deck to remove")],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "reports",
        description: "What members reported on a deck you may change: Edit the card or Dismiss the report",
        options: [deckOption("The deck")],
      },
    ],
  },
  async execute(i, ctx) {
    const { deps, respond, t } = ctx;
    const sub = i.options.getSubcommand();
    if (sub === "list") {
      await respond.reply(renderDeckList(await deckListView(deps, i.user.id, i.guildId), t));
      return;
    }
    if (sub === "import") return runImport(i, ctx);
    if (sub === "reports") {
      const view = await reportsView(deps, actor(i), i.options.getString("deck", true));
      await respond.reply(renderReports(view, t), { ephemeral: true });
      return;
    }
    if (sub === "suspended") {
      const view = await suspendedView(deps, i.user.id, i.guildId, i.options.getString("deck", true));
      await respond.reply(renderSuspended(view, t), { ephemeral: true });
      return;
    }
    if (sub === "export") {
      const format = choiceOption(i, "format", DECK_EXPORT_FORMATS);
      if (format === null) throw new UserError("`format`: pick one of the listed values.");
      const exported = await exportDeckFile(
        deps,
        i.user.id,
        i.guildId,
        i.options.getString("deck", true),
        format,
        deps.clock.now(),
      );
      await respond.reply(renderExported(exported, t));
      return;
    }
    if (sub === "remove") {
      const deck = await checkRemovable(deps.db, actor(i), i.options.getString("deck", true));
      await respond.reply(renderRemoveConfirm(i.user.id, deck, t));
      return;
    }
    const deckId = i.options.getString("deck", true);
    const r =
      sub === "subscribe"
        ? await subscribe(deps, i.user.id, i.guildId, deckId)
        : await unsubscribe(deps, i.user.id, i.guildId, deckId);
    await respond.reply(renderSubscription(sub === "subscribe" ? "subscribe" : "unsubscribe", r, t));
  },
  async autocomplete(i, { deps }) {
    const q = String(i.options.getFocused());
    const sub = i.options.getSubcommand(false);
    const found =
      sub === "import" || sub === "remove" || sub === "reports"
        ? await searchManageableDecks(deps.db, i.user.id, i.guildId, canManageServer(i), q)
        : await searchDecks(deps.db, i.user.id, i.guildId, q);
    await i.respond(deckChoices(found));
  },
  buttons: { [DECK_PREFIX]: onDeckButton, [SUSPENDED_PREFIX]: onUnsuspendButton },
} satisfies Command;
