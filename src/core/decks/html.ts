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
 *
 * The HTML is tokenized by htmlparser2 (tags, attributes, comments, doctypes, raw-text elements such as <script>)
 * and its character references decoded by `entities` as a browser does, so as Anki shows them (`&copy 2024` is
 * `© 2024`). What each element becomes, and which elements are open, is ours, below.
 */
import { decodeHTML, decodeHTMLAttribute } from "entities";
import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";

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

/**
 * Character references in text decoded, with our own rule for the invisible ones: the named spaces (`&nbsp;`,
 * `&ensp;`, …) are plain spaces and a soft hyphen is nothing, since card text has no line breaking to steer.
 * A literal U+00A0, or `&#160;`, stays as written.
 */
function decodeText(raw: string): string {
  if (!raw.includes("&")) return raw;
  return decodeHTML(raw.replace(/&nbsp;?|&(?:ensp|emsp|thinsp);/g, " ").replace(/&shy;?/g, ""));
}

/** An attribute's value, its character references decoded (as in a browser's attribute rules). */
function attribute(attribs: Record<string, string>, name: string): string | undefined {
  const raw = attribs[name];
  return raw === undefined ? undefined : decodeHTMLAttribute(raw);
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
  const converter = new Converter(html);
  // htmlparser2's tokenizer, without its Parser: the Parser's implied end tags (`<b>x` closed at the end, `<p>`
  // closed by `<div>`) would change what existing decks convert to, and it keeps open elements in an array it
  // shifts, quadratic on a field of 100,000 unclosed tags. Open elements are ours (`stack`). References are
  // decoded by the converter, after the source-formatting test has seen the text as written.
  const tokenizer = new Tokenizer({ decodeEntities: false }, converter);
  tokenizer.write(html);
  tokenizer.end();
  converter.flushText();
  return { text: converter.out.toString(), media: converter.media };
}

/**
 * The tokenizer's callbacks, as methods (one object per field, no closures: tsx names every closure it
 * creates, which a field of ten tags would pay for more than for its conversion).
 */
class Converter implements TokenizerCallbacks {
  readonly media: string[] = [];
  readonly out = new Output();
  private readonly stack: Open[] = [];
  private readonly lists: { ordered: boolean; n: number }[] = [];
  private pre = 0;
  /** Open elements whose content is dropped (script, style, head, …). */
  private skipping = 0;
  /** Text since the last tag, raw: the tokenizer may hand it over in pieces. */
  private text = "";
  /** The start tag being read. */
  private name = "";
  private attribs: Record<string, string> = {};
  private attrName = "";
  private attrValue = "";

  constructor(private readonly html: string) {}

  ontext(start: number, end: number): void {
    this.text += this.html.slice(start, end);
  }
  onopentagname(start: number, end: number): void {
    this.name = this.html.slice(start, end).toLowerCase();
    this.attribs = {};
  }
  onattribname(start: number, end: number): void {
    this.attrName = this.html.slice(start, end).toLowerCase();
    this.attrValue = "";
  }
  onattribdata(start: number, end: number): void {
    this.attrValue += this.html.slice(start, end);
  }
  onattribend(): void {
    // The first of two attributes of the same name counts, as in a browser.
    if (!Object.hasOwn(this.attribs, this.attrName)) this.attribs[this.attrName] = this.attrValue;
  }
  onopentagend(): void {
    this.tag(this.name, false, this.attribs);
  }
  /** `<br/>`: in HTML the slash means nothing (`<b/>` opens a <b>). */
  onselfclosingtag(): void {
    this.tag(this.name, false, this.attribs);
  }
  onclosetag(start: number, end: number): void {
    this.tag(this.html.slice(start, end).toLowerCase(), true, {});
  }
  oncomment(): void {
    this.flushText();
  }
  oncdata(): void {
    this.flushText();
  }
  ondeclaration(): void {
    this.flushText();
  }
  onprocessinginstruction(): void {
    this.flushText();
  }
  ontextentity(): void {}
  onattribentity(): void {}
  onend(): void {}

  flushText(): void {
    const raw = this.text;
    this.text = "";
    if (raw === "" || this.skipping > 0) return;
    // Source formatting between blocks ("</li>\n<li>") is not text.
    if (this.pre === 0 && this.atLineStart() && /^\s*$/.test(raw) && /[\r\n]/.test(raw)) return;
    this.out.push(decodeText(raw));
  }

  private atLineStart(): boolean {
    return this.out.empty || this.out.endsWith("\n");
  }
  private newLine(): void {
    if (!this.atLineStart()) this.out.push("\n");
  }
  private blankLine(): void {
    if (this.out.empty) return;
    this.newLine();
    if (!this.out.endsWith("\n\n")) this.out.push("\n");
  }
  /** Rewriting elements are at most one per marker and one link deep, which keeps conversion linear. */
  private hasMarker(marker: string): boolean {
    return this.stack.some((o) => o.marker === marker);
  }
  private inLink(): boolean {
    return this.stack.some((o) => o.href !== undefined);
  }

  private close(tag: string): void {
    const { stack, out } = this;
    let at = -1;
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack[k]?.tag === tag) {
        at = k;
        break;
      }
    }
    const open = stack[at];
    if (open === undefined) return;
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
  }

  /** One start or end tag. */
  private tag(name: string, closing: boolean, attribs: Record<string, string>): void {
    this.flushText();
    const { out, stack, lists } = this;
    if (SKIP_CONTENT.has(name)) {
      this.skipping = Math.max(0, this.skipping + (closing ? -1 : 1));
      return;
    }
    if (this.skipping > 0) return;
    if (MEDIA.has(name)) {
      if (!closing) {
        const src = attribute(attribs, "src") ?? attribute(attribs, "data");
        this.media.push(src !== undefined && src !== "" ? src : `<${name}>`);
      }
      return;
    }
    if (name === "br") {
      // `</br>` too, as browsers read it.
      out.push("\n");
      return;
    }
    if (name === "ul" || name === "ol") {
      this.newLine();
      if (closing) lists.pop();
      else lists.push({ ordered: name === "ol", n: 0 });
      return;
    }
    if (name === "li") {
      this.newLine();
      if (!closing) {
        const list = lists[lists.length - 1];
        const indent = "  ".repeat(Math.min(4, Math.max(0, lists.length - 1)));
        if (list === undefined) out.push(`${indent}- `);
        else out.push(`${indent}${list.ordered ? `${++list.n}.` : "-"} `);
      }
      return;
    }
    if (name === "pre") {
      this.newLine();
      if (closing) {
        if (this.pre > 0) {
          this.pre--;
          out.push("```");
          this.newLine();
        }
      } else {
        this.pre++;
        out.push("```\n");
      }
      return;
    }
    if (BLOCK.has(name)) {
      if (name === "p") this.blankLine();
      else this.newLine();
      if (/^h[1-6]$/.test(name)) {
        if (closing) {
          this.close(name);
          this.newLine();
        } else if (!this.hasMarker("**")) {
          stack.push({ tag: name, pos: out.mark, marker: "**" });
        }
      }
      return;
    }
    const marker = INLINE[name];
    if (marker !== undefined) {
      if (closing) this.close(name);
      else if (!(name === "code" && this.pre > 0))
        stack.push(
          this.hasMarker(marker) ? { tag: name, pos: out.mark } : { tag: name, pos: out.mark, marker },
        );
      return;
    }
    if (name === "a") {
      if (closing) this.close("a");
      else {
        const href = attribute(attribs, "href");
        stack.push(
          href !== undefined && /^https?:\/\/\S+$/i.test(href) && !this.inLink()
            ? { tag: name, pos: out.mark, href }
            : { tag: name, pos: out.mark },
        );
      }
    }
    // Any other tag (span, font, sup, …): its content is kept.
  }
}

/** Anki's test for "this field is HTML" when a file does not say: a tag or a comment opens somewhere. */
export function looksLikeHtml(text: string): boolean {
  return /<(?:[A-Za-z]|\/[A-Za-z]|!--)/.test(text);
}
