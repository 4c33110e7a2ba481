/**
 * Anki field HTML → Discord Markdown, and plain text → HTML for the Anki export. The rules (decks/FORMAT.md):
 *
 *   <b> <strong> → **x**    <i> <em> → *x*    <code> → `x`    <u> <s> <strike> <del> → x (no such markup)
 *   <br> → line break       <div> <p> <h1-6> <li> <pre> … → start on a new line (<p>: a blank line before)
 *   <ul><li> → "- x"        <ol><li> → "1. x" (nested lists indented by two spaces per level)
 *   <a href="https://u">t</a> → "t (<https://u>)" (angle brackets: Discord shows no link preview)
 *   <img> <audio> <video> <source> <object> <embed> <iframe> → dropped, reported in `media`
 *   <script> <style> <head> <title> → dropped with their content; any other tag → its content
 *   entities (&amp; &lt; &nbsp; &#39; &#x1F600; …) → characters; unknown entities stay as written
 *
 * Text is otherwise kept as written (spaces and line breaks included), so escaped plain text converts back
 * exactly: `textToHtml` then `htmlToMarkdown` is the identity on normalised text.
 */

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
  shy: "",
  zwj: "\u200d",
  zwnj: "\u200c",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  bull: "•",
  middot: "·",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  laquo: "«",
  raquo: "»",
  lsaquo: "‹",
  rsaquo: "›",
  copy: "©",
  reg: "®",
  trade: "™",
  deg: "°",
  plusmn: "±",
  times: "×",
  divide: "÷",
  minus: "−",
  micro: "µ",
  para: "¶",
  sect: "§",
  cent: "¢",
  pound: "£",
  euro: "€",
  yen: "¥",
  iexcl: "¡",
  iquest: "¿",
  frac12: "½",
  frac14: "¼",
  frac34: "¾",
  sup1: "¹",
  sup2: "²",
  sup3: "³",
  larr: "←",
  rarr: "→",
  uarr: "↑",
  darr: "↓",
  harr: "↔",
  lArr: "⇐",
  rArr: "⇒",
  hArr: "⇔",
  le: "≤",
  ge: "≥",
  ne: "≠",
  asymp: "≈",
  equiv: "≡",
  infin: "∞",
  sum: "∑",
  prod: "∏",
  radic: "√",
  part: "∂",
  int: "∫",
  isin: "∈",
  notin: "∉",
  forall: "∀",
  exist: "∃",
  empty: "∅",
  nabla: "∇",
  cap: "∩",
  cup: "∪",
  sub: "⊂",
  sup: "⊃",
  and: "∧",
  or: "∨",
  not: "¬",
  alpha: "α",
  beta: "β",
  gamma: "γ",
  delta: "δ",
  epsilon: "ε",
  zeta: "ζ",
  eta: "η",
  theta: "θ",
  iota: "ι",
  kappa: "κ",
  lambda: "λ",
  mu: "μ",
  nu: "ν",
  xi: "ξ",
  pi: "π",
  rho: "ρ",
  sigma: "σ",
  tau: "τ",
  phi: "φ",
  chi: "χ",
  psi: "ψ",
  omega: "ω",
  Gamma: "Γ",
  Delta: "Δ",
  Theta: "Θ",
  Lambda: "Λ",
  Pi: "Π",
  Sigma: "Σ",
  Phi: "Φ",
  Psi: "Ψ",
  Omega: "Ω",
  auml: "ä",
  ouml: "ö",
  uuml: "ü",
  Auml: "Ä",
  Ouml: "Ö",
  Uuml: "Ü",
  szlig: "ß",
  eacute: "é",
  egrave: "è",
  ecirc: "ê",
  aacute: "á",
  agrave: "à",
  acirc: "â",
  iacute: "í",
  oacute: "ó",
  uacute: "ú",
  ntilde: "ñ",
  ccedil: "ç",
  Eacute: "É",
};

/** Decodes character references; an unknown or malformed one stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(
    /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g,
    (whole, ref: string) => {
      if (ref.startsWith("#")) {
        const hex = ref[1] === "x" || ref[1] === "X";
        const cp = Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
        if (!Number.isFinite(cp) || cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
          return "\ufffd";
        return String.fromCodePoint(cp);
      }
      return Object.hasOwn(NAMED, ref) ? (NAMED[ref] ?? whole) : whole;
    },
  );
}

/**
 * Plain text → HTML that `htmlToMarkdown` reads back to the same text: `&`, `<`, `>` escaped, line breaks as
 * `<br>`, and Anki's own syntax (`{{c1::…}}` clozes, `[sound:…]`) escaped so Anki shows it as text.
 */
export function textToHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\{\{/g, "&#123;{")
    .replace(/\[sound:/gi, "&#91;sound:")
    .replace(/\r\n|\r|\n/g, "<br>");
}

const BLOCK = new Set([
  "div",
  "p",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "blockquote",
  "pre",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "section",
  "article",
  "header",
  "footer",
  "aside",
  "nav",
  "figure",
  "figcaption",
  "dl",
  "dt",
  "dd",
  "hr",
  "address",
  "center",
]);
const INLINE: Record<string, string> = {
  b: "**",
  strong: "**",
  i: "*",
  em: "*",
  code: "`",
};
// <u>, <s>, <strike>, <del> keep only their text: card text means no underline or strikethrough (`__`, `~~` are
// shown as typed, so `__init__` stays itself; src/render/card-text.ts), so there is no markup to give them.
const MEDIA = new Set(["img", "audio", "video", "source", "object", "embed", "iframe", "track", "svg"]);
const SKIP_CONTENT = new Set(["script", "style", "head", "title", "template"]);
const VOID = new Set([
  "br",
  "img",
  "hr",
  "source",
  "embed",
  "track",
  "wbr",
  "input",
  "meta",
  "link",
  "col",
  "area",
]);

export interface HtmlConversion {
  text: string;
  /** What was dropped: file names of images and sounds, or the tag name when there is no source. */
  media: string[];
}

interface Open {
  tag: string;
  /** Index in the output chunks where the element's content starts. */
  pos: number;
  marker?: string;
  href?: string;
}

function attribute(attrs: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i");
  const m = re.exec(attrs);
  if (m === null) return undefined;
  return decodeEntities(m[1] ?? m[2] ?? m[3] ?? "");
}

/**
 * The converted text as a list of chunks plus its last two characters, so appending and "are we at the
 * start of a line" stay O(1) however long the field is; an element's content is rewritten (markers added)
 * by replacing the chunks from where it opened.
 */
class Output {
  private readonly chunks: string[] = [];
  private last = "";

  get mark(): number {
    return this.chunks.length;
  }
  get empty(): boolean {
    return this.last === "";
  }
  endsWith(s: string): boolean {
    return this.last.endsWith(s);
  }
  push(s: string): void {
    if (s === "") return;
    this.chunks.push(s);
    this.last = (this.last + s).slice(-2);
  }
  /** Removes and returns everything written since `mark`. */
  takeFrom(mark: number): string {
    const taken = this.chunks.splice(mark).join("");
    let tail = "";
    for (let k = this.chunks.length - 1; k >= 0 && tail.length < 2; k--) tail = (this.chunks[k] ?? "") + tail;
    this.last = tail.slice(-2);
    return taken;
  }
  toString(): string {
    return this.chunks.join("");
  }
}

/** Converts one field of Anki HTML to Discord Markdown (see the table at the top of this file). */
export function htmlToMarkdown(html: string): HtmlConversion {
  const media: string[] = [];
  const out = new Output();
  const stack: Open[] = [];
  const lists: { ordered: boolean; n: number }[] = [];
  let pre = 0;

  const atLineStart = (): boolean => out.empty || out.endsWith("\n");
  const newLine = (): void => {
    if (!atLineStart()) out.push("\n");
  };
  const blankLine = (): void => {
    if (out.empty) return;
    newLine();
    if (!out.endsWith("\n\n")) out.push("\n");
  };
  /** Rewriting elements are at most one per marker and one link deep, which keeps conversion linear. */
  const hasMarker = (marker: string): boolean => stack.some((o) => o.marker === marker);
  const inLink = (): boolean => stack.some((o) => o.href !== undefined);

  const close = (tag: string): void => {
    let at = -1;
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack[k]?.tag === tag) {
        at = k;
        break;
      }
    }
    if (at === -1) return;
    const open = stack[at] as Open;
    stack.length = at;
    if (open.marker === undefined && open.href === undefined) return;
    const inner = out.takeFrom(open.pos);
    const core = inner.trim();
    const lead = inner.slice(0, inner.length - inner.trimStart().length);
    const trail = inner.slice(inner.trimEnd().length);
    if (open.marker !== undefined) {
      if (core === "") {
        out.push(inner);
        return;
      }
      const m = open.marker === "`" && core.includes("`") ? "``" : open.marker;
      const pad = m === "``" ? " " : "";
      out.push(`${lead}${m}${pad}${core}${pad}${m}${trail}`);
    } else if (open.href !== undefined) {
      const link = `<${open.href}>`;
      out.push(`${lead}${core === "" || core === open.href ? link : `${core} (${link})`}${trail}`);
    }
  };

  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf("<", i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      const raw = html.slice(i, textEnd);
      // Source formatting between blocks ("</li>\n<li>") is not text.
      if (!(pre === 0 && atLineStart() && /^\s*$/.test(raw) && /[\r\n]/.test(raw)))
        out.push(decodeEntities(raw));
      i = textEnd;
    }
    if (lt === -1) break;
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end === -1 ? n : end + 3;
      continue;
    }
    // Attribute text stops at the next '<', so a stray '<' costs no more than the distance to the next one.
    const m = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>/.exec(
      html.slice(lt, lt + 2048),
    );
    if (m === null) {
      out.push("<");
      i = lt + 1;
      continue;
    }
    i = lt + m[0].length;
    const closing = m[1] === "/";
    const tag = (m[2] ?? "").toLowerCase();
    const attrs = m[3] ?? "";

    if (SKIP_CONTENT.has(tag)) {
      if (!closing) {
        const end = new RegExp(`</${tag}\\b[^>]*>`, "gi");
        end.lastIndex = i;
        const found = end.exec(html);
        i = found === null ? n : found.index + found[0].length;
      }
      continue;
    }
    if (MEDIA.has(tag)) {
      if (!closing) {
        const src = attribute(attrs, "src") ?? attribute(attrs, "data");
        media.push(src !== undefined && src !== "" ? src : `<${tag}>`);
      }
      continue;
    }
    if (tag === "br") {
      out.push("\n");
      continue;
    }
    if (tag === "ul" || tag === "ol") {
      newLine();
      if (closing) lists.pop();
      else lists.push({ ordered: tag === "ol", n: 0 });
      continue;
    }
    if (tag === "li") {
      newLine();
      if (!closing) {
        const list = lists[lists.length - 1];
        const indent = "  ".repeat(Math.min(4, Math.max(0, lists.length - 1)));
        if (list === undefined) out.push(`${indent}- `);
        else out.push(`${indent}${list.ordered ? `${++list.n}.` : "-"} `);
      }
      continue;
    }
    if (tag === "pre") {
      newLine();
      if (closing) {
        if (pre > 0) {
          pre--;
          out.push("```");
          newLine();
        }
      } else {
        pre++;
        out.push("```\n");
      }
      continue;
    }
    if (BLOCK.has(tag)) {
      if (tag === "p") blankLine();
      else newLine();
      if (/^h[1-6]$/.test(tag)) {
        if (closing) {
          close(tag);
          newLine();
        } else if (!hasMarker("**")) {
          stack.push({ tag, pos: out.mark, marker: "**" });
        }
      }
      continue;
    }
    const marker = INLINE[tag];
    if (marker !== undefined) {
      if (closing) close(tag);
      else if (!(tag === "code" && pre > 0))
        stack.push(hasMarker(marker) ? { tag, pos: out.mark } : { tag, pos: out.mark, marker });
      continue;
    }
    if (tag === "a") {
      if (closing) close("a");
      else {
        const href = attribute(attrs, "href");
        stack.push(
          href !== undefined && /^https?:\/\/\S+$/i.test(href) && !inLink()
            ? { tag, pos: out.mark, href }
            : { tag, pos: out.mark },
        );
      }
      continue;
    }
    if (VOID.has(tag)) continue;
    // Any other tag (span, font, sup, …): its content is kept.
  }
  return { text: out.toString(), media };
}

/** Anki's test for "this field is HTML" when a file does not say: a tag or a comment opens somewhere. */
export function looksLikeHtml(text: string): boolean {
  return /<(?:[A-Za-z]|\/[A-Za-z]|!--)/.test(text);
}
