import { ApplicationCommandOptionType, type ChatInputCommandInteraction } from "discord.js";
import { UserError } from "../src/core/errors.ts";
import {
  LEECH_ACTIONS,
  LEECH_THRESHOLD_DEFAULT,
  LEECH_THRESHOLD_MAX,
  LEECH_THRESHOLD_MIN,
} from "../src/core/leeches.ts";
import { NEW_PER_DAY_MAX, REVIEW_LIMIT_DEFAULT, REVIEW_LIMIT_MAX } from "../src/core/new-cards.ts";
import { RATING_STYLES } from "../src/core/rating-styles.ts";
import { MAX_INTERVAL_MAX, RETENTION_MAX, RETENTION_MIN } from "../src/core/scheduling.ts";
import type { Command } from "../src/discord/command.ts";
import { choiceOption } from "../src/discord/options.ts";
import type { Responder } from "../src/discord/responder.ts";
import type { T } from "../src/i18n/translate.ts";
import { deckChoices } from "../src/render/deck-view.ts";
import { renderMemory, renderOptimize } from "../src/render/memory-view.ts";
import { renderSettings, type SettingsChange } from "../src/render/settings-view.ts";
import { timezoneChoices } from "../src/render/timezone-choices.ts";
import { searchDecks } from "../src/services/decks.ts";
import type { Deps } from "../src/services/deps.ts";
import { memoryView, optimizeMemory, resetMemory, setMonthlyRefit } from "../src/services/memory/optimize.ts";
import { type DeckNewCardsChange, type SettingsPatch, settingsView } from "../src/services/settings.ts";

/** The subcommand and the change it asks for (none for `show`). */
function readChange(i: ChatInputCommandInteraction): {
  change: SettingsChange;
  patch: SettingsPatch | null;
  deck?: DeckNewCardsChange;
} {
  const sub = i.options.getSubcommand();
  if (sub === "reminders")
    return { change: sub, patch: { reminders: i.options.getBoolean("enabled", true) } };
  if (sub === "leaderboard")
    return { change: sub, patch: { leaderboardVisible: i.options.getBoolean("visible", true) } };
  if (sub === "timezone") return { change: sub, patch: { timezone: i.options.getString("zone", true) } };
  if (sub === "newcards") {
    // With a deck: that deck's own limit (without per_day: back to the global one); without: the global limit.
    const perDay = i.options.getInteger("per_day");
    const deckId = i.options.getString("deck");
    if (deckId !== null) return { change: sub, patch: null, deck: { deckId, perDay } };
    if (perDay === null)
      throw new UserError(
        "Give `per_day` (your limit for all decks), or a `deck` to give it a limit of its own.",
      );
    return { change: sub, patch: { newPerDay: perDay } };
  }
  if (sub === "reviews")
    return { change: sub, patch: { reviewLimit: i.options.getInteger("per_day", true) } };
  if (sub === "rating") {
    const style = choiceOption(i, "style", RATING_STYLES);
    return { change: sub, patch: style === null ? null : { ratingStyle: style } };
  }
  if (sub === "leeches") {
    const patch: SettingsPatch = {};
    const threshold = i.options.getInteger("threshold");
    const action = choiceOption(i, "action", LEECH_ACTIONS);
    if (threshold !== null) patch.leechThreshold = threshold;
    if (action !== null) patch.leechAction = action;
    return { change: sub, patch: Object.keys(patch).length > 0 ? patch : null };
  }
  if (sub === "scheduling") {
    const patch: SettingsPatch = {};
    const retention = i.options.getNumber("retention");
    const maxInterval = i.options.getInteger("max_interval");
    const learning = i.options.getString("learning_steps");
    const relearning = i.options.getString("relearning_steps");
    if (retention !== null) patch.retention = retention;
    if (maxInterval !== null) patch.maxInterval = maxInterval;
    if (learning !== null) patch.learningSteps = learning;
    if (relearning !== null) patch.relearningSteps = relearning;
    return { change: sub, patch: Object.keys(patch).length > 0 ? patch : null };
  }
  return { change: "show", patch: null };
}

/** `/settings memory …`: the member's own FSRS weights. A fit takes seconds: the reply is deferred first. */
async function memory(i: ChatInputCommandInteraction, deps: Deps, respond: Responder, t: T): Promise<void> {
  const sub = i.options.getSubcommand();
  if (sub === "optimize") {
    await respond.defer();
    return respond.reply(renderOptimize(await optimizeMemory(deps, i.user.id, i.guildId), t));
  }
  if (sub === "reset")
    return respond.reply(renderMemory(await resetMemory(deps, i.user.id), t("memory.reset"), t));
  if (sub === "monthly") {
    const on = i.options.getBoolean("enabled", true);
    const note = t(on ? "memory.monthlyOn" : "memory.monthlyOff");
    return respond.reply(renderMemory(await setMonthlyRefit(deps, i.user.id, on), note, t));
  }
  return respond.reply(renderMemory(await memoryView(deps, i.user.id), null, t));
}

export default {
  data: {
    name: "settings",
    description: "Your personal study settings",
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: "show", description: "Show your settings" },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "reminders",
        description: "Be pinged in the daily post when you have cards due",
        options: [
          {
            type: ApplicationCommandOptionType.Boolean,
            name: "enabled",
            description: "Ping me",
            required: true,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "leaderboard",
        description: "Appear on leaderboards and in others' /stats",
        options: [
          {
            type: ApplicationCommandOptionType.Boolean,
            name: "visible",
            description: "Show me",
            required: true,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "timezone",
        description: "Your timezone: when your study day (new cards, streaks, stats) starts",
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: "zone",
            description: "IANA name, e.g. Europe/Berlin",
            required: true,
            autocomplete: true,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "newcards",
        description: "How many new cards you start per day (default 20), in all decks or in one",
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            name: "per_day",
            description: `0 to ${NEW_PER_DAY_MAX}; with a deck and without this, the deck shares your limit again`,
            required: false,
            min_value: 0,
            max_value: NEW_PER_DAY_MAX,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "deck",
            description: "Give this deck a limit of its own, instead of your limit for all decks",
            required: false,
            autocomplete: true,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "reviews",
        description: `How many due cards you review per day (default ${REVIEW_LIMIT_DEFAULT}); learning cards always come`,
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            name: "per_day",
            description: `0 to ${REVIEW_LIMIT_MAX}`,
            required: true,
            min_value: 0,
            max_value: REVIEW_LIMIT_MAX,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "scheduling",
        description: "Your spaced repetition: desired retention, maximum interval, learning steps",
        options: [
          {
            type: ApplicationCommandOptionType.Number,
            name: "retention",
            description: `Share of reviews you want to recall, ${RETENTION_MIN}–${RETENTION_MAX} (default 0.9)`,
            required: false,
            min_value: RETENTION_MIN,
            max_value: RETENTION_MAX,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: "max_interval",
            description: `Longest interval in days, 1–${MAX_INTERVAL_MAX} (default ${MAX_INTERVAL_MAX})`,
            required: false,
            min_value: 1,
            max_value: MAX_INTERVAL_MAX,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "learning_steps",
            description: "Steps for new cards, e.g. 1m 10m (default), 10m 1h 1d, or none",
            required: false,
            max_length: 80,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "relearning_steps",
            description: "Steps after a lapse, e.g. 10m (default), or none",
            required: false,
            max_length: 80,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.SubcommandGroup,
        name: "memory",
        description: "Your own memory model: FSRS weights fitted to your reviews",
        options: [
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: "optimize",
            description: "Fit FSRS to your review history (used only if it predicts you better)",
          },
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: "show",
            description: "The weights in use, and the latest fit",
          },
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: "reset",
            description: "Back to FSRS's default weights",
          },
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: "monthly",
            description: "Re-fit once a month in the background",
            options: [
              {
                type: ApplicationCommandOptionType.Boolean,
                name: "enabled",
                description: "Re-fit monthly",
                required: true,
              },
            ],
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "rating",
        description: "How you rate cards: Again / Hard / Good / Easy, or 1–5 confidence (Brainscape)",
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: "style",
            description: "anki (4 buttons, default) or confidence (1–5)",
            required: true,
            choices: [
              { name: "Again / Hard / Good / Easy", value: "anki" },
              { name: "Confidence 1–5 (How well did you know this?)", value: "confidence" },
            ],
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "leeches",
        description: "Cards you keep forgetting: when one becomes a leech, and what then",
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            name: "threshold",
            description: `Lapses that make a leech, ${LEECH_THRESHOLD_MIN}–${LEECH_THRESHOLD_MAX} (default ${LEECH_THRESHOLD_DEFAULT}), 0 for off`,
            required: false,
            min_value: 0,
            max_value: LEECH_THRESHOLD_MAX,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: "action",
            description: "Suspend a leech, or only tag it (default)",
            required: false,
            choices: [
              { name: "suspend", value: "suspend" },
              { name: "tag only", value: "tag" },
            ],
          },
        ],
      },
    ],
  },
  async execute(i, { deps, respond, t }) {
    if (i.options.getSubcommandGroup(false) === "memory") return memory(i, deps, respond, t);
    const { change, patch, deck } = readChange(i);
    const view = await settingsView(deps, { userId: i.user.id, guildId: i.guildId, patch, deck });
    await respond.reply(renderSettings(change, view, t));
  },
  async autocomplete(i, { deps }) {
    const focused = i.options.getFocused(true);
    if (focused.name !== "deck") return i.respond(timezoneChoices(String(focused.value)));
    const found = await searchDecks(deps.db, i.user.id, i.guildId, String(focused.value));
    await i.respond(deckChoices(found));
  },
} satisfies Command;
