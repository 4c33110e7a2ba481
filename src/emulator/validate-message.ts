/** Discord's message limits, checked the way Discord checks them (400 50035 with per-field errors). */
import type { FieldProblem } from "./errors.ts";
import { validateAllowedMentions } from "./mentions.ts";
import type { Json } from "./types.ts";

export const MessageFlag = {
  Ephemeral: 64,
  Loading: 128,
  SuppressNotifications: 4096,
  ComponentsV2: 32768,
} as const;

type Path = Array<string | number>;

const maxLen = (path: Path, max: number): FieldProblem => ({
  path,
  code: "BASE_TYPE_MAX_LENGTH",
  message: `Must be ${max} or fewer in length.`,
});
const badLen = (path: Path, min: number, max: number): FieldProblem => ({
  path,
  code: "BASE_TYPE_BAD_LENGTH",
  message: `Must be between ${min} and ${max} in length.`,
});
const required = (path: Path): FieldProblem => ({
  path,
  code: "BASE_TYPE_REQUIRED",
  message: "This field is required",
});

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function checkLength(problems: FieldProblem[], v: unknown, path: Path, min: number, max: number): void {
  const s = str(v);
  if (s === undefined) {
    if (min > 0) problems.push(required(path));
    return;
  }
  const n = [...s].length;
  if (n > max || n < min) problems.push(min > 0 ? badLen(path, min, max) : maxLen(path, max));
}

/** Characters that count toward the 6000 total across all embeds of a message. */
export function embedTextLength(embed: Json): number {
  const len = (v: unknown) => (typeof v === "string" ? [...v].length : 0);
  let n = len(embed?.title) + len(embed?.description) + len(embed?.footer?.text) + len(embed?.author?.name);
  for (const f of Array.isArray(embed?.fields) ? embed.fields : []) n += len(f?.name) + len(f?.value);
  return n;
}

function validateEmbeds(embeds: unknown, problems: FieldProblem[]): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    problems.push({ path: ["embeds"], code: "BASE_TYPE_ARRAY", message: "Must be an array." });
    return;
  }
  if (embeds.length > 10) problems.push(maxLen(["embeds"], 10));
  let total = 0;
  embeds.forEach((e: Json, i: number) => {
    const p = (...rest: Path): Path => ["embeds", i, ...rest];
    if (e?.title !== undefined) checkLength(problems, e.title, p("title"), 0, 256);
    if (e?.description !== undefined) checkLength(problems, e.description, p("description"), 0, 4096);
    if (e?.footer?.text !== undefined) checkLength(problems, e.footer.text, p("footer", "text"), 0, 2048);
    if (e?.author?.name !== undefined) checkLength(problems, e.author.name, p("author", "name"), 0, 256);
    const fields = e?.fields;
    if (Array.isArray(fields)) {
      if (fields.length > 25) problems.push(maxLen(p("fields"), 25));
      fields.forEach((f: Json, j: number) => {
        checkLength(problems, f?.name, p("fields", j, "name"), 1, 256);
        checkLength(problems, f?.value, p("fields", j, "value"), 1, 1024);
      });
    }
    total += embedTextLength(e);
  });
  if (total > 6000) {
    problems.push({
      path: ["embeds"],
      code: "MAX_EMBED_SIZE_EXCEEDED",
      message: "Embed size exceeds maximum size of 6000",
    });
  }
}

const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);
const INTERACTIVE_V2_CONTAINERS = new Set([1, 9, 17]);

function validateButton(b: Json, path: Path, problems: FieldProblem[], seen: Set<string>): void {
  if (b.label !== undefined) checkLength(problems, b.label, [...path, "label"], 0, 80);
  if (b.label === undefined && b.emoji === undefined && b.style !== 6) {
    problems.push({
      path: [...path, "label"],
      code: "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
      message: "A label or emoji is required",
    });
  }
  if (b.style === 5) {
    if (typeof b.url !== "string" || b.url.length === 0) {
      problems.push({
        path: [...path, "url"],
        code: "BUTTON_COMPONENT_URL_REQUIRED",
        message: "A url is required",
      });
    } else if (b.url.length > 512) problems.push(maxLen([...path, "url"], 512));
    if (b.custom_id !== undefined) {
      problems.push({
        path: [...path, "custom_id"],
        code: "BUTTON_COMPONENT_CUSTOM_ID_INVALID",
        message: "A custom id must not be set for link buttons",
      });
    }
    return;
  }
  if (b.style === 6) return;
  if (typeof b.style !== "number" || b.style < 1 || b.style > 6) {
    problems.push({
      path: [...path, "style"],
      code: "BASE_TYPE_CHOICES",
      message: "Value must be one of (1, 2, 3, 4, 5, 6).",
    });
  }
  if (b.url !== undefined) {
    problems.push({
      path: [...path, "url"],
      code: "BUTTON_COMPONENT_URL_INVALID",
      message: "A url must only be set for link buttons",
    });
  }
  checkCustomId(b.custom_id, [...path, "custom_id"], problems, seen);
}

function checkCustomId(id: unknown, path: Path, problems: FieldProblem[], seen: Set<string>): void {
  if (typeof id !== "string" || id.length === 0) {
    problems.push({ path, code: "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", message: "A custom id is required" });
    return;
  }
  if ([...id].length > 100) problems.push(badLen(path, 1, 100));
  if (seen.has(id)) {
    problems.push({
      path,
      code: "COMPONENT_CUSTOM_ID_DUPLICATED",
      message: "Component custom id cannot be duplicated",
    });
  }
  seen.add(id);
}

function validateSelect(s: Json, path: Path, problems: FieldProblem[], seen: Set<string>): void {
  checkCustomId(s.custom_id, [...path, "custom_id"], problems, seen);
  if (s.placeholder !== undefined) checkLength(problems, s.placeholder, [...path, "placeholder"], 0, 150);
  if (s.type !== 3) return;
  const options = s.options;
  if (!Array.isArray(options) || options.length < 1 || options.length > 25) {
    problems.push(badLen([...path, "options"], 1, 25));
    return;
  }
  const values = new Set<string>();
  options.forEach((o: Json, i: number) => {
    checkLength(problems, o?.label, [...path, "options", i, "label"], 1, 100);
    checkLength(problems, o?.value, [...path, "options", i, "value"], 1, 100);
    if (o?.description !== undefined)
      checkLength(problems, o.description, [...path, "options", i, "description"], 0, 100);
    if (typeof o?.value === "string") {
      if (values.has(o.value)) {
        problems.push({
          path: [...path, "options", i, "value"],
          code: "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
          message: "Select option values must be unique",
        });
      }
      values.add(o.value);
    }
  });
}

function validateRow(row: Json, path: Path, problems: FieldProblem[], seen: Set<string>): void {
  const children = row?.components;
  if (!Array.isArray(children) || children.length < 1 || children.length > 5) {
    problems.push(badLen([...path, "components"], 1, 5));
    return;
  }
  const hasSelect = children.some((c: Json) => SELECT_TYPES.has(c?.type));
  if (hasSelect && children.length > 1) {
    problems.push({
      path: [...path, "components"],
      code: "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
      message: "The specified component exceeds the maximum width",
    });
  }
  children.forEach((c: Json, i: number) => {
    validateLeaf(c, [...path, "components", i], problems, seen);
  });
}

function validateLeaf(c: Json, path: Path, problems: FieldProblem[], seen: Set<string>): void {
  if (c?.type === 2) validateButton(c, path, problems, seen);
  else if (SELECT_TYPES.has(c?.type)) validateSelect(c, path, problems, seen);
  else if (c?.type === 1) validateRow(c, path, problems, seen);
  else if (INTERACTIVE_V2_CONTAINERS.has(c?.type)) {
    if (Array.isArray(c.components)) {
      c.components.forEach((child: Json, i: number) => {
        validateLeaf(child, [...path, "components", i], problems, seen);
      });
    }
    if (c.accessory) validateLeaf(c.accessory, [...path, "accessory"], problems, seen);
  }
}

function countComponents(list: Json[]): number {
  let n = 0;
  for (const c of list) {
    n += 1;
    if (Array.isArray(c?.components)) n += countComponents(c.components);
    if (c?.accessory) n += 1;
  }
  return n;
}

function validateComponents(components: unknown, flags: number, problems: FieldProblem[]): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    problems.push({ path: ["components"], code: "BASE_TYPE_ARRAY", message: "Must be an array." });
    return;
  }
  const seen = new Set<string>();
  if (flags & MessageFlag.ComponentsV2) {
    if (countComponents(components) > 40) problems.push(maxLen(["components"], 40));
    components.forEach((c: Json, i: number) => {
      validateLeaf(c, ["components", i], problems, seen);
    });
    return;
  }
  if (components.length > 5) problems.push(maxLen(["components"], 5));
  components.forEach((row: Json, i: number) => {
    if (row?.type !== 1) {
      problems.push({
        path: ["components", i, "type"],
        code: "UNION_TYPE_CHOICES",
        message: 'Value of field "type" must be one of (1,).',
      });
      return;
    }
    validateRow(row, ["components", i], problems, seen);
  });
}

/** Field-level checks for a message create/edit body. Emptiness is checked separately on the result. */
export function validateMessageBody(body: Json, prefix: Path = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (body === null || typeof body !== "object") {
    return [
      { path: prefix, code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" },
    ];
  }
  const flags = typeof body.flags === "number" ? body.flags : 0;
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== "string")
      problems.push({ path: ["content"], code: "BASE_TYPE_STRING", message: "Must be a string." });
    else if ([...body.content].length > 2000) problems.push(maxLen(["content"], 2000));
  }
  if (flags & MessageFlag.ComponentsV2) {
    if (typeof body.content === "string" && body.content.length > 0) {
      problems.push({
        path: ["content"],
        code: "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
        message: "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      });
    }
    if (Array.isArray(body.embeds) && body.embeds.length > 0) {
      problems.push({
        path: ["embeds"],
        code: "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
        message: "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      });
    }
  }
  validateEmbeds(body.embeds, problems);
  validateComponents(body.components, flags, problems);
  problems.push(...validateAllowedMentions(body.allowed_mentions, ["allowed_mentions"]));
  return problems.map((p) => ({ ...p, path: [...prefix, ...p.path] }));
}

/** Autocomplete result (callback type 8): at most 25 choices, names 1–100, string values ≤ 100. */
export function validateAutocompleteChoices(data: Json): FieldProblem[] {
  const choices = data?.choices;
  if (!Array.isArray(choices)) return [required(["data", "choices"])];
  const problems: FieldProblem[] = [];
  if (choices.length > 25) problems.push(maxLen(["data", "choices"], 25));
  choices.forEach((c: Json, i: number) => {
    checkLength(problems, c?.name, ["data", "choices", i, "name"], 1, 100);
    if (typeof c?.value === "string") checkLength(problems, c.value, ["data", "choices", i, "value"], 0, 100);
    else if (typeof c?.value !== "number") problems.push(required(["data", "choices", i, "value"]));
  });
  return problems;
}

/** Modal (callback type 9): custom_id 1–100, title 1–45, 1–5 top-level components. */
export function validateModal(data: Json): FieldProblem[] {
  const problems: FieldProblem[] = [];
  checkLength(problems, data?.custom_id, ["data", "custom_id"], 1, 100);
  checkLength(problems, data?.title, ["data", "title"], 1, 45);
  const comps = data?.components;
  if (!Array.isArray(comps) || comps.length < 1 || comps.length > 5)
    problems.push(badLen(["data", "components"], 1, 5));
  return problems;
}
