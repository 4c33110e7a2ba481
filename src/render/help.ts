/** The /help message: what the bot does and every command, in one embed. */
import { POINTS_RULES } from "../core/points.ts";
import { COLORS } from "./components.ts";
import { NO_PINGS } from "./limits.ts";

export const HELP_TEXT = [
  "I help your study group learn flashcards with spaced repetition (FSRS, as in Anki).",
  "",
  "**Studying**",
  "`/deck list` — decks here, with your due / new / total counts",
  "`/deck subscribe deck:` · `/deck unsubscribe deck:` — choose what you study",
  "`/study [deck]` — review privately: **Show answer**, then rate **Again / Hard / Good / Easy**; each button shows when you will see the card again. **↩ Undo** takes back a rating; **Bury** skips a card until tomorrow, **Suspend** until you unsuspend it (`/deck suspended deck:`).",
  "",
  "Due reviews come first (most overdue first, up to 200 a day: `/settings reviews`), then up to 20 new cards a day (`/settings newcards`, for all decks or one). Days start at 04:00 in your `/settings timezone` (default: the server's). Your retention, maximum interval and learning steps: `/settings scheduling`; leeches: `/settings leeches`; rate 1–5 instead: `/settings rating`; FSRS fitted to your own reviews: `/settings memory optimize`.",
  "",
  "**Your own decks**",
  "`/deck import file:` — Anki (Notes in Plain Text), CSV, TSV / Quizlet, Brainscape or native; personal, or for the server (Manage Server)",
  "`/deck export deck: format:` — native, Anki or CSV · `/deck remove deck:` — with a confirm button; history is kept",
  "`/card add deck:` — write a card in a form: question, answer, tags (your decks; server decks: Manage Server)",
  "On an answer in `/study`: **Edit** the card if you may change its deck (everyone's schedule stays), else **Report** what is wrong · `/deck reports deck:` — a deck's reports: Edit or Dismiss",
  "",
  "**Leaderboard & stats**",
  "`/leaderboard [period] [metric]` — this server's top 10 (today · 7 · 30 days · all time; reviews · points · streak · accuracy)",
  "`/stats [member]` — your numbers, a year heatmap and a 30-day due forecast · `/settings leaderboard visible:` to hide",
  "A streak day = at least one card reviewed that day (04:00 in your `/settings timezone`). Points:",
  POINTS_RULES,
  "",
  "**Daily quiz**",
  "Each morning the server's quiz channel gets who has cards due, a **Start my review** button and a question of the day: answer with **A B C D** (once; it counts as a review if you study that deck).",
  "`/settings reminders enabled:true` — be pinged in that post when you have cards due",
  "`/quiz status` — where and when it posts · `/quiz setup` `pause` `resume` `now` — Manage Server only",
  "",
  "**Review party**",
  "`/party start deck: [cards] [seconds] [mode]` — a live quiz in a thread: **Join**, then the host presses **Start** (anyone can after a minute). Everyone answers **A B C D** against the clock; `race` pays the fastest right answer most. Each answer is a review if you study the deck · `/party stop` — the host or Manage Server",
].join("\n");

export function renderHelp() {
  return {
    embeds: [{ color: COLORS.info, title: "Study companion", description: HELP_TEXT }],
    allowed_mentions: NO_PINGS,
  };
}
