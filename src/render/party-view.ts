/**
 * A review party's messages: the lobby (players, Join and Start), each round (the question, A–D, its countdown and
 * answer count; then its reveal and the scoreboard, edited in place), the podium, and what only an answerer sees.
 * Mentions show names but never ping (NO_PINGS); card text goes through cardText like every card.
 */
import { type APIButtonComponent, type APIEmbed, ButtonStyle, escapeMarkdown } from "discord.js";
import { PARTY_LIMITS } from "../core/party-rules.ts";
import { PARTY_POINTS, type PartyMode, type Standing } from "../core/party-scoring.ts";
import { CHOICE_LETTERS } from "../core/quiz.ts";
import { english, type MessageKey, type T } from "../i18n/translate.ts";
import type { AnswerOutcome } from "../services/party/answers.ts";
import type { JoinNote } from "../services/party/lobby.ts";
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

export function modeLine(mode: PartyMode, t: T = english): string {
  return mode === "race"
    ? t("party.race", {
        first: PARTY_POINTS.raceFirst,
        step: PARTY_POINTS.raceStep,
        floor: PARTY_POINTS.raceFloor,
      })
    : t("party.everyone", { points: PARTY_POINTS.everyone });
}

function names(ids: readonly string[], t: T): string {
  if (ids.length === 0) return t("party.nobodyYet");
  const shown = ids.slice(0, NAMES_SHOWN).map(mention).join(" ");
  return ids.length > NAMES_SHOWN ? t("party.andMore", { shown, n: ids.length - NAMES_SHOWN }) : shown;
}

const headLine = (h: PartyHead, t: T) =>
  t("party.head", {
    mode: modeLine(h.mode, t),
    questions: t("party.questions", { count: h.cards }),
    seconds: h.seconds,
  });

/** Why a party ended, in a sentence ("finished" needs none). */
export function endedText(reason: string | null, t: T = english): string | null {
  switch (reason) {
    case null:
    case "finished":
      return null;
    case "stopped":
      return t("party.ended.stopped");
    case "expired":
      return t("party.ended.expired");
    case "quiet":
      return t("party.ended.quiet", { rounds: PARTY_LIMITS.quietRounds });
    default:
      return t("party.ended.failed", { reason });
  }
}

/** The lobby: public, in the server's language. */
export function renderLobby(v: LobbyView, t: T = english): MessagePayload {
  const lines = [
    headLine(v, t),
    t("party.host", { host: mention(v.hostId) }),
    "",
    t("party.players", { n: v.players.length }),
    names(v.players, t),
  ];
  if (v.status === "lobby") {
    lines.push(
      "",
      t("party.pressJoin", { when: at(v.startableAt) }),
      v.expiresAt !== null ? t("party.closesIf", { when: at(v.expiresAt) }) : "",
      "",
      t("party.reviewNote"),
    );
  } else if (v.status === "running") {
    lines.push("", t("party.underWay"));
  } else {
    const why = endedText(v.endedReason, t) ?? (v.rounds > 0 ? t("party.seePodium") : "");
    lines.push("", t("party.over", { why }).trim());
  }
  const open = v.status === "lobby";
  const embed: APIEmbed = {
    color: PARTY_COLORS.lobby,
    title: clip(t("party.lobbyTitle", { deck: v.deckName }), LIMITS.embedTitle),
    description: clip(
      lines.filter((l, k, all) => l !== "" || all[k - 1] !== "").join("\n"),
      LIMITS.embedDescription,
    ),
  };
  return {
    embeds: [embed],
    components: [
      row([
        button(partyIds.join(v.partyId), t("party.join"), ButtonStyle.Primary, !open),
        button(partyIds.start(v.partyId), t("party.start"), ButtonStyle.Success, !open),
      ]),
    ],
    allowed_mentions: NO_PINGS,
  };
}

function resultLines(results: readonly RoundResult[], t: T): string[] {
  const right = results.filter((r) => r.correct);
  const wrong = results.filter((r) => !r.correct && r.choice !== null);
  const none = results.filter((r) => r.choice === null);
  const out: string[] = [];
  const list = (rs: readonly RoundResult[], f: (r: RoundResult) => string) => {
    const shown = rs.slice(0, RESULTS_SHOWN).map(f).join(" · ");
    return rs.length > RESULTS_SHOWN ? t("party.andMore", { shown, n: rs.length - RESULTS_SHOWN }) : shown;
  };
  if (right.length) out.push(`✅ ${list(right, (r) => `${mention(r.userId)} +${r.points}`)}`);
  if (wrong.length) out.push(`❌ ${list(wrong, (r) => `${mention(r.userId)} (${letter(r.choice)})`)}`);
  if (none.length) out.push(t("party.noAnswer", { list: list(none, (r) => mention(r.userId)) }));
  if (out.length === 0) out.push(t("party.nobodyAnswered"));
  return out;
}

export function boardLines(standings: readonly Standing[], shown = BOARD_SHOWN, t: T = english): string[] {
  const medals = ["🥇", "🥈", "🥉"];
  const lines = standings.slice(0, shown).map((s, k) =>
    t("party.boardLine", {
      rank: medals[k] ?? `${k + 1}.`,
      who: mention(s.userId),
      count: s.points,
      correct: s.correct,
    }),
  );
  if (standings.length > shown) lines.push(t("party.boardMore", { n: standings.length - shown }));
  return lines;
}

/** A round: public, in the server language. */
export function renderRound(v: RoundView, t: T = english): MessagePayload {
  const closed = v.reveal !== null;
  const lines = [cardText(v.front, FRONT_MAX), ""];
  if (v.reveal) {
    lines.push(
      t("party.answerIs", { letter: letter(v.reveal.correctIndex) }),
      ...resultLines(v.reveal.results, t),
    );
    lines.push("", t("party.scoreboard"), ...boardLines(v.reveal.standings, BOARD_SHOWN, t));
  } else lines.push(t("party.closes", { when: at(v.closesAt) }));
  const embed: APIEmbed = {
    color: closed ? PARTY_COLORS.reveal : PARTY_COLORS.round,
    title: clip(
      t("party.roundTitle", { round: v.round, cards: v.cards, deck: v.deckName }),
      LIMITS.embedTitle,
    ),
    description: clip(lines.join("\n"), LIMITS.embedDescription),
    footer: {
      text: `${closed ? t("party.closed") : ""}${t("party.answered", { answered: v.answered, players: v.players })}`,
    },
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

/** The podium: public, in the server language. */
export function renderPodium(v: PodiumView, t: T = english): MessagePayload {
  // The podium is for those who scored; a party nobody scored in says so.
  const scorers = v.standings.filter((s) => s.points > 0);
  const lines = scorers.length > 0 ? boardLines(scorers, BOARD_SHOWN, t) : [t("party.nobodyScored")];
  const why = endedText(v.endedReason, t);
  lines.push(
    "",
    `${t("party.played", { count: v.rounds, deck: deckText(v.deckName) })}${why ? ` ${why}` : ""}`,
    t("party.countsOnBoard"),
  );
  return {
    embeds: [
      {
        color: PARTY_COLORS.podium,
        title: clip(t("party.podiumTitle", { deck: v.deckName }), LIMITS.embedTitle),
        description: clip(lines.join("\n"), LIMITS.embedDescription),
      },
    ],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

/** What only the answerer sees, in their language. */
export function renderAnswerOutcome(o: AnswerOutcome, t: T = english): MessagePayload {
  const say = (content: string): MessagePayload => ({
    content,
    embeds: [],
    components: [],
    allowed_mentions: NO_PINGS,
  });
  switch (o.kind) {
    case "over":
      return say(o.ended ? t("party.outcome.over") : t("party.outcome.roundOver"));
    case "already":
      return say(t("party.outcome.already", { letter: letter(o.choice) }));
    case "answered": {
      const head = o.correct
        ? t("party.outcome.right", { letter: letter(o.choice) })
        : t("party.outcome.wrong", { letter: letter(o.choice) });
      const note = o.reviewed
        ? o.correct
          ? t("quiz.countedGood")
          : t("quiz.countedAgain")
        : o.studies
          ? t("party.outcome.noReview")
          : t("party.outcome.notStudied", { deck: deckText(o.deckName) });
      return say(clip([head, note, o.notice ?? ""].filter(Boolean).join("\n"), LIMITS.content));
    }
  }
}

const JOIN_NOTES = {
  over: "party.outcome.over",
  started: "party.joinNote.started",
  already: "party.joinNote.already",
} as const satisfies Record<JoinNote, MessageKey>;

/** A Join that changed nothing: what only the member sees, in their language. */
export function renderJoinNote(note: JoinNote, t: T = english): MessagePayload {
  return { content: t(JOIN_NOTES[note]), embeds: [], components: [], allowed_mentions: NO_PINGS };
}
