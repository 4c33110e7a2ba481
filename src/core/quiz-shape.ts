/**
 * What an answer looks like at a glance — code or prose, a list or not, how many lines, how long — so the quiz's
 * distractors look like the right answer and a question cannot be solved by its choices' form alone. Pure.
 */

export type AnswerKind = "code" | "list" | "prose";

export interface AnswerShape {
  kind: AnswerKind;
  /** Non-blank lines. */
  lines: number;
  /** Characters of the trimmed text. */
  length: number;
}

const LIST_LINES = /^[ \t]*(?:[-*+•◦▪‣●–]|\d{1,9}[.)])[ \t]/gm;
const TEXT_LINES = /^[ \t]*\S/gm;
const CODE_SPAN_ONLY = /^`[^`\n]+`$/;

export function answerShape(text: string): AnswerShape {
  const t = text.trim();
  const code = t.includes("```") || CODE_SPAN_ONLY.test(t);
  const kind: AnswerKind = code ? "code" : (t.match(LIST_LINES)?.length ?? 0) >= 2 ? "list" : "prose";
  return { kind, lines: t.match(TEXT_LINES)?.length ?? 0, length: t.length };
}

/** The other kinds in the order they pass for each other: a list reads closer to prose than code does. */
const NEAREST_KINDS: Record<AnswerKind, readonly AnswerKind[]> = {
  code: ["code", "prose", "list"],
  list: ["list", "prose", "code"],
  prose: ["prose", "list", "code"],
};

/**
 * A deck's answers indexed by shape: computed once per deck from the answers' text (a tick shares it between its
 * servers), then each question's distractors cost a binary search and a few steps, whatever the deck's size.
 */
export interface DeckAnswers {
  /** By position in deck order. */
  shapes: readonly AnswerShape[];
  /** Positions of each kind's cards with an answer, shortest answer first (ties in deck order). */
  byKind: Readonly<Record<AnswerKind, readonly number[]>>;
  /** The `answerKey` of the card at a position (computed when first asked: a question looks at a dozen). */
  key(k: number): string;
}

export function indexAnswers(backs: readonly string[], answerKey: (text: string) => string): DeckAnswers {
  const shapes = backs.map(answerShape);
  const byKind: Record<AnswerKind, number[]> = { code: [], list: [], prose: [] };
  shapes.forEach((s, k) => {
    if (s.length > 0) byKind[s.kind].push(k); // a blank answer is no choice
  });
  for (const list of Object.values(byKind))
    list.sort((a, b) => (shapes[a]?.length ?? 0) - (shapes[b]?.length ?? 0) || a - b);
  const keys: string[] = [];
  return { shapes, byKind, key: (k) => (keys[k] ??= answerKey(backs[k] ?? "")) };
}

/** Candidates looked at per question, nearest in length first: enough to rank by lines too, few enough to be cheap. */
const POOL = 12;

/** How unlike the target a candidate looks: other kind first, then length ratio and line count. */
function distance(t: AnswerShape, c: AnswerShape, kindRank: number): number {
  const lines = Math.abs(Math.min(c.lines, 20) - Math.min(t.lines, 20));
  return kindRank * 100 + Math.abs(Math.log((c.length + 10) / (t.length + 10))) + 0.25 * lines;
}

/**
 * `count` positions of cards whose answers look most like `target` and differ from it and from each other
 * (by key), drawn with `rng` among the best few; null when the deck has fewer such answers. Answers of the same
 * kind are taken first, nearest in length (then lines); other kinds only when the same kind has too few.
 */
export function similarAnswers(
  index: DeckAnswers,
  target: { shape: AnswerShape; key: string },
  count: number,
  rng: () => number,
): number[] | null {
  const seen = new Set([target.key]);
  const pool: Candidate[] = [];
  let sameKind = 0;
  NEAREST_KINDS[target.shape.kind].forEach((kind, rank) => {
    if (rank > 0 && pool.length >= count) return;
    const list = index.byKind[kind];
    const want = rank === 0 ? POOL : count - pool.length;
    // Outwards from where the target's length would sit, the nearer length first.
    let hi = lowerBound(list, index.shapes, target.shape.length);
    let lo = hi - 1;
    let taken = 0;
    while (taken < want && (lo >= 0 || hi < list.length)) {
      const below = lo >= 0 ? (list[lo] as number) : -1;
      const above = hi < list.length ? (list[hi] as number) : -1;
      const len = (k: number) => index.shapes[k]?.length ?? 0;
      const useBelow =
        above === -1 ||
        (below !== -1 && target.shape.length - len(below) <= len(above) - target.shape.length);
      const k = useBelow ? below : above;
      if (useBelow) lo--;
      else hi++;
      const key = index.key(k);
      if (seen.has(key)) continue; // the answer itself (its key is seen first), or one already taken
      seen.add(key);
      pool.push({ k, d: distance(target.shape, index.shapes[k] as AnswerShape, rank), shorter: useBelow });
      taken++;
    }
    if (rank === 0) sameKind = pool.length;
  });
  if (pool.length < count) return null;
  const byDistance = (a: Candidate, b: Candidate) => a.d - b.d || a.k - b.k;
  // Too few of the same kind: all of them, then the nearest of other kinds.
  if (sameKind < count)
    return pool
      .sort(byDistance)
      .slice(0, count)
      .map((c) => c.k);
  // Enough: the distractors come from the `count` nearest of the same kind on each side of the answer's length.
  // The answer's rank by length among the choices is drawn first, uniformly where the sides allow, so the right
  // answer is no more often the shortest, the longest or in between than any other choice; then that many
  // shorter and the rest longer are drawn.
  const same = pool.slice(0, sameKind).sort(byDistance);
  const shorter = same.filter((c) => c.shorter).slice(0, count);
  const longer = same.filter((c) => !c.shorter).slice(0, count);
  const below = Math.max(count - longer.length, Math.min(shorter.length, Math.floor(rng() * (count + 1))));
  return [...draw(shorter, below, rng), ...draw(longer, count - below, rng)];
}

interface Candidate {
  k: number;
  d: number;
  /** Found on the shorter side of the answer's length (ties go either way, as the search met them). */
  shorter: boolean;
}

/** `n` of `list`, drawn with `rng` (a partial Fisher–Yates, in place). */
function draw(list: Candidate[], n: number, rng: () => number): number[] {
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (list.length - i));
    const tmp = list[i] as Candidate;
    list[i] = list[j] as Candidate;
    list[j] = tmp;
    picked.push((list[i] as Candidate).k);
  }
  return picked;
}
/** The first index of `list` whose answer is at least `length` long. */
function lowerBound(list: readonly number[], shapes: readonly AnswerShape[], length: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((shapes[list[mid] as number]?.length ?? 0) < length) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
