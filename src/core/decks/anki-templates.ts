/**
 * Anki's card templates, rendered as Anki renders them, for a package's cards (src/services/anki-package): a note
 * type's front and back templates over a note's fields give the card's question and answer in HTML, which html.ts
 * then turns into Discord markdown. Pure.
 *
 * The syntax: `{{Field}}`; sections `{{#Field}}…{{/Field}}` (shown when the field is not empty) and
 * `{{^Field}}…{{/Field}}` (when it is); filters before the field name, applied right to left (`{{text:cloze:Text}}`):
 * `cloze:` (the card's cloze number: `[…]` or `[hint]` on the question, the deletion in bold on the answer),
 * `type:` (Type-in: nothing on the question, the field on the answer: the bot shows the answer, typing is not
 * required), `text:` (tags stripped), `hint:` and any other filter (the field as it is); and the special fields
 * `{{FrontSide}}`, `{{Tags}}`, `{{Deck}}`, `{{Subdeck}}`, `{{Card}}`, `{{Type}}`. The answer is what follows
 * `<hr id=answer>` when the back template has one (the bot shows the question above the answer anyway), else the
 * back template without its `{{FrontSide}}`.
 */
import { clozeSides } from "./cloze.ts";

export interface NoteType {
  name: string;
  kind: "normal" | "cloze";
  /** Field names in order (a note's fields come in this order). */
  fields: string[];
  /** Card templates in order: a card's `ord` picks one (a cloze note type has one, for every cloze number). */
  templates: { name: string; qfmt: string; afmt: string }[];
}

export interface CardContext {
  /** The note's field values, in the note type's field order. */
  values: readonly string[];
  /** The card's template (normal) or cloze number minus one (cloze). */
  ord: number;
  tags: readonly string[];
  deck: string;
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "field"; name: string; filters: string[] }
  | { kind: "section"; name: string; inverted: boolean; body: Node[] };

/** `{{ … }}` tags and the text between them as a tree; an unclosed or stray section tag reads as text. */
function parse(template: string): Node[] {
  const root: Node[] = [];
  const stack: { name: string; nodes: Node[]; inverted: boolean }[] = [];
  let nodes = root;
  let at = 0;
  // indexOf, not a lazy regex: an unclosed `{{` ends the tags (the rest is text) instead of a scan per `{{`.
  for (let open = template.indexOf("{{", at); open !== -1; open = template.indexOf("{{", at)) {
    const close = template.indexOf("}}", open + 2);
    if (close === -1) break;
    if (open > at) nodes.push({ kind: "text", text: template.slice(at, open) });
    at = close + 2;
    const tag = template.slice(open + 2, close).trim();
    const head = tag[0];
    if (head === "#" || head === "^") {
      const section = { name: tag.slice(1).trim(), nodes: [] as Node[], inverted: head === "^" };
      stack.push(section);
      nodes = section.nodes;
    } else if (head === "/") {
      const open = stack.pop();
      if (!open) continue; // a stray close: nothing to end
      const parent = stack.at(-1)?.nodes ?? root;
      parent.push({ kind: "section", name: open.name, inverted: open.inverted, body: open.nodes });
      nodes = parent;
    } else {
      const parts = tag.split(":");
      const name = (parts.pop() ?? "").trim();
      nodes.push({ kind: "field", name, filters: parts.map((f) => f.trim().toLowerCase()) });
    }
  }
  if (at < template.length) nodes.push({ kind: "text", text: template.slice(at) });
  // Sections never closed: their content stays, as text around it would.
  while (stack.length > 0) {
    const open = stack.pop();
    const parent = stack.at(-1)?.nodes ?? root;
    if (open) parent.push(...open.nodes);
  }
  return root;
}

// `<[^<>]*>`: a field full of `<` with no `>` is read once, not once per `<`.
const stripTags = (html: string) => html.replace(/<[^<>]*>/g, "");
/** Whether a field counts as empty for a section: nothing but tags and whitespace. */
const isEmpty = (value: string) =>
  stripTags(value)
    .replace(/&nbsp;/g, " ")
    .trim() === "";

interface Side {
  side: "question" | "answer";
  frontSide: string;
}

function render(nodes: Node[], nt: NoteType, card: CardContext, side: Side): string {
  const value = (name: string): string | undefined => {
    const k = nt.fields.indexOf(name);
    if (k !== -1) return card.values[k] ?? "";
    switch (name) {
      case "FrontSide":
        return side.frontSide;
      case "Tags":
        return card.tags.join(" ");
      case "Deck":
        return card.deck;
      case "Subdeck":
        return card.deck.split("::").pop() ?? card.deck;
      case "Card":
        return nt.kind === "cloze" ? `Cloze ${card.ord + 1}` : (nt.templates[card.ord]?.name ?? "");
      case "Type":
        return nt.name;
      default:
        return undefined;
    }
  };
  let out = "";
  for (const n of nodes) {
    // A template's own line breaks are HTML whitespace (a line break is `<br>`), not the card's.
    if (n.kind === "text") out += n.text.replace(/\s*\n\s*/g, " ");
    else if (n.kind === "section") {
      const shown = !isEmpty(value(n.name) ?? "");
      if (shown !== n.inverted) out += render(n.body, nt, card, side);
    } else {
      let text = value(n.name) ?? "";
      for (const filter of [...n.filters].reverse()) {
        if (filter === "cloze") text = clozeSides(text, card.ord + 1, true)[side.side];
        else if (filter === "type") text = side.side === "question" ? "" : text;
        else if (filter === "text") text = stripTags(text);
      }
      out += text;
    }
  }
  return out;
}

const ANSWER_RULE = /<hr\s+id\s*=\s*["']?answer["']?\s*\/?>/i;

/** Templates parsed once per import (one per note type and side), not once per card. */
const parsed = new Map<string, Node[]>();
function parseOnce(template: string): Node[] {
  let nodes = parsed.get(template);
  if (!nodes) {
    if (parsed.size >= 256) parsed.clear();
    nodes = parse(template);
    parsed.set(template, nodes);
  }
  return nodes;
}

/** The card's question and answer as HTML; null when its template is missing. */
export function renderAnkiCard(nt: NoteType, card: CardContext): { question: string; answer: string } | null {
  const template = nt.kind === "cloze" ? nt.templates[0] : nt.templates[card.ord];
  if (!template) return null;
  const question = render(parseOnce(template.qfmt), nt, card, { side: "question", frontSide: "" });
  const back = render(parseOnce(template.afmt), nt, card, { side: "answer", frontSide: "\u0000FRONT\u0000" });
  const rule = ANSWER_RULE.exec(back);
  const answer = rule ? back.slice(rule.index + rule[0].length) : back.replaceAll("\u0000FRONT\u0000", "");
  // Whitespace at the start of a line is not shown in HTML: a template's `<br>\n{{Back Extra}}` starts its line.
  const tidy = (html: string) => html.replace(/(<br\s*\/?>)\s+/gi, "$1").trim();
  return { question: tidy(question), answer: tidy(answer.replaceAll("\u0000FRONT\u0000", question)) };
}
