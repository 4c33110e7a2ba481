/**
 * A review party's messages: the lobby (players, Join and Start), each round (the question, A–D, its countdown and
 * answer count; then its reveal and the scoreboard, edited in place), the podium, and what only an answerer sees.
 * Mentions show names but never ping (NO_PINGS); card text goes through cardText like every card.
 */
import { type APIButtonComponent, type APIEmbed, ButtonStyle, escapeMarkdown } from "discord.js";
import { PARTY_LIMITS } from "../core/party-rules.ts";
import { PARTY_POINTS, type PartyMode, type Standing } from "../core/party-scoring.ts";
import { CHOICE_LETTERS } from "../core/quiz.ts";
import type { AnswerOutcome } from "../services/party/answers.ts";
import type { LobbyView, PartyHead, PodiumView, RoundResult, RoundView } from "../services/party/views.ts";
import { cardText } from "./card-text.ts";
import { button, type MessagePayload, row } from "./components.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";
import { partyIds } from "./party-ids.ts";
import { choiceFields } from "./quiz-view.ts";

export const PARTY_COLORS = { lobby: 0xeb459e, round: 0xfee75c, reveal: 0x4f545c, podium: 0xf1c40f } as const;

/** Players named in the lobby before "and N more". */
const NAMES_SHOWN = 30;
/** Per list of a reveal (right, wrong, silent): three lists, the question and the board fit 4,096 characters. */
const RESULTS_SHOWN = 15;
const BOARD_SHOWN = 10;
const FRONT_MAX = 1500;

const letter = (k: number | null) => (k === null ? "—" : (CHOICE_LETTERS[k] ?? "?"));
const at = (ms: number, style: "R" | "t" = "R") => `<t:${Math.floor(ms / 1000)}:${style}>`;
const mention = (id: string) => `<@${id}>`;
const deckText = (name: string) => escapeMarkdown(clip(name, 100));

export function modeLine(mode: PartyMode): string {
  return mode === "race"
    ? `**Race**: the first right answer scores ${PARTY_POINTS.raceFirst}, each later one ${PARTY_POINTS.raceStep} less (at least ${PARTY_POINTS.raceFloor})`
    : `**Everyone**: each right answer scores ${PARTY_POINTS.everyone}`;
}

function names(ids: readonly string[]): string {
  if (ids.length === 0) return "nobody yet";
  const shown = ids.slice(0, NAMES_SHOWN).map(mention).join(" ");
  return ids.length > NAMES_SHOWN ? `${shown} and ${ids.length - NAMES_SHOWN} more` : shown;
}

const headLine = (h: PartyHead) =>
  `${modeLine(h.mode)} · ${h.cards} ${h.cards === 1 ? "question" : "questions"} · ${h.seconds} s each`;

/** Why a party ended, in a sentence ("finished" needs none). */
export function endedText(reason: string | null): string | null {
  switch (reason) {
    case null:
    case "finished":
      return null;
    case "stopped":
      return "The party was stopped.";
    case "expired":
      return "Nobody started the party, so it closed.";
    case "quiet":
      return `Nobody answered ${PARTY_LIMITS.quietRounds} rounds in a row, so the party ended.`;
    default:
      return `The party could not go on: ${reason}.`;
  }
}

export function renderLobby(v: LobbyView): MessagePayload {
  const lines = [
    headLine(v),
    `Host: ${mention(v.hostId)}`,
    "",
    `**Players (${v.players.length})**`,
    names(v.players),
  ];
  if (v.status === "lobby") {
    lines.push(
      "",
      `Press **Join** to play. The host starts the party; from ${at(v.startableAt)} anyone who joined can.`,
      v.expiresAt !== null ? `The lobby closes ${at(v.expiresAt)} if nobody starts it.` : "",
      "",
      "Every answer is a review for members who study this deck: right counts as **Good**, wrong or none as **Again**.",
    );
  } else if (v.status === "running") {
    lines.push("", "**Under way**: answer the questions below. Late? Answering a question joins you.");
  } else {
    const why = endedText(v.endedReason) ?? (v.rounds > 0 ? "See the podium below." : "");
    lines.push("", `**This party is over.** ${why}`.trim());
  }
  const open = v.status === "lobby";
  const embed: APIEmbed = {
    color: PARTY_COLORS.lobby,
    title: clip(`🎉 Review party · ${v.deckName}`, LIMITS.embedTitle),
    description: clip(
      lines.filter((l, k, all) => l !== "" || all[k - 1] !== "").join("\n"),
      LIMITS.embedDescription,
    ),
  };
  return {
    embeds: [embed],
    components: [
      row([
        button(partyIds.join(v.partyId), "Join", ButtonStyle.Primary, !open),
        button(partyIds.start(v.partyId), "Start", ButtonStyle.Success, !open),
      ]),
    ],
    allowed_mentions: NO_PINGS,
  };
}

function resultLines(results: readonly RoundResult[]): string[] {
  const right = results.filter((r) => r.correct);
  const wrong = results.filter((r) => !r.correct && r.choice !== null);
  const none = results.filter((r) => r.choice === null);
  const out: string[] = [];
  const list = (rs: readonly RoundResult[], f: (r: RoundResult) => string) => {
    const shown = rs.slice(0, RESULTS_SHOWN).map(f).join(" · ");
    return rs.length > RESULTS_SHOWN ? `${shown} and ${rs.length - RESULTS_SHOWN} more` : shown;
  };
  if (right.length) out.push(`✅ ${list(right, (r) => `${mention(r.userId)} +${r.points}`)}`);
  if (wrong.length) out.push(`❌ ${list(wrong, (r) => `${mention(r.userId)} (${letter(r.choice)})`)}`);
  if (none.length) out.push(`⌛ no answer: ${list(none, (r) => mention(r.userId))}`);
  if (out.length === 0) out.push("Nobody answered.");
  return out;
}

export function boardLines(standings: readonly Standing[], shown = BOARD_SHOWN): string[] {
  const medals = ["🥇", "🥈", "🥉"];
  const lines = standings
    .slice(0, shown)
    .map(
      (s, k) =>
        `${medals[k] ?? `${k + 1}.`} ${mention(s.userId)} — **${s.points}** ${s.points === 1 ? "point" : "points"} (${s.correct} right)`,
    );
  if (standings.length > shown) lines.push(`…and ${standings.length - shown} more`);
  return lines;
}

export function renderRound(v: RoundView): MessagePayload {
  const closed = v.reveal !== null;
  const lines = [cardText(v.front, FRONT_MAX), ""];
  if (v.reveal) {
    lines.push(`**Answer: ${letter(v.reveal.correctIndex)}**`, ...resultLines(v.reveal.results));
    lines.push("", "**Scoreboard**", ...boardLines(v.reveal.standings));
  } else lines.push(`Closes ${at(v.closesAt)}: pick **A**, **B**, **C** or **D**.`);
  const embed: APIEmbed = {
    color: closed ? PARTY_COLORS.reveal : PARTY_COLORS.round,
    title: clip(`Round ${v.round}/${v.cards} · ${v.deckName}`, LIMITS.embedTitle),
    description: clip(lines.join("\n"), LIMITS.embedDescription),
    footer: { text: `${closed ? "Closed · " : ""}${v.answered}/${v.players} answered` },
  };
  const used =
    (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
  embed.fields = choiceFields(v.choices, v.reveal?.correctIndex ?? null, used);
  const buttons: APIButtonComponent[] = v.choices.map((_, k) =>
    button(
      partyIds.answer(v.partyId, v.round, k),
      letter(k),
      closed && k === v.reveal?.correctIndex ? ButtonStyle.Success : ButtonStyle.Secondary,
      closed,
    ),
  );
  return { embeds: [embed], components: [row(buttons)], allowed_mentions: NO_PINGS };
}

export function renderPodium(v: PodiumView): MessagePayload {
  // The podium is for those who scored; a party nobody scored in says so.
  const scorers = v.standings.filter((s) => s.points > 0);
  const lines = scorers.length > 0 ? boardLines(scorers, BOARD_SHOWN) : ["Nobody scored this time."];
  const why = endedText(v.endedReason);
  lines.push(
    "",
    `${v.rounds} ${v.rounds === 1 ? "round" : "rounds"} of *${deckText(v.deckName)}* played.${why ? ` ${why}` : ""}`,
    "Party points count on this server's `/leaderboard`.",
  );
  return {
    embeds: [
      {
        color: PARTY_COLORS.podium,
        title: clip(`🏆 Podium · ${v.deckName}`, LIMITS.embedTitle),
        description: clip(lines.join("\n"), LIMITS.embedDescription),
      },
    ],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

/** What only the answerer sees. */
export function renderAnswerOutcome(o: AnswerOutcome): MessagePayload {
  const say = (content: string): MessagePayload => ({
    content,
    embeds: [],
    components: [],
    allowed_mentions: NO_PINGS,
  });
  switch (o.kind) {
    case "over":
      return say(o.ended ? "This party is over." : "This round is over: answer the party's latest question.");
    case "already":
      return say(`You already answered this round: **${letter(o.choice)}**.`);
    case "answered": {
      const head = o.correct
        ? `✅ **${letter(o.choice)}** is right!`
        : `❌ **${letter(o.choice)}** isn't it: the answer shows when the round closes.`;
      const note = o.reviewed
        ? o.correct
          ? "Counted as **Good** in your schedule for this card."
          : "Counted as **Again** in your schedule: the card comes back soon in your reviews."
        : o.studies
          ? "This card is suspended or buried in your reviews: your answer scores, but records no review."
          : `You don't study *${deckText(o.deckName)}*: your answer scores, but feeds no schedule (\`/deck subscribe\` to change that).`;
      return say(clip([head, note, o.notice ?? ""].filter(Boolean).join("\n"), LIMITS.content));
    }
  }
}
