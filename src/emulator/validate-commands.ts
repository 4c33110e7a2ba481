/** Application command registration rules (what Discord answers 50035 for). */
import type { FieldProblem } from "./errors.ts";
import type { Json } from "./types.ts";

type Path = Array<string | number>;

export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

const NAME_RE = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkName(name: unknown, path: Path, problems: FieldProblem[]): void {
  if (typeof name !== "string") {
    problems.push({ path, code: "BASE_TYPE_REQUIRED", message: "This field is required" });
    return;
  }
  if (!NAME_RE.test(name)) {
    problems.push({ path, code: "APPLICATION_COMMAND_INVALID_NAME", message: "Command name is invalid" });
  } else if (name !== name.toLowerCase()) {
    problems.push({
      path,
      code: "APPLICATION_COMMAND_INVALID_NAME",
      message: "Command name must be lowercase",
    });
  }
}

function checkDescription(desc: unknown, path: Path, problems: FieldProblem[]): void {
  if (typeof desc !== "string") {
    problems.push({ path, code: "BASE_TYPE_REQUIRED", message: "This field is required" });
    return;
  }
  const n = [...desc].length;
  if (n < 1 || n > 100)
    problems.push({ path, code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." });
}

/** Discord's locales: the only keys `name_localizations` and `description_localizations` take. */
const LOCALES = new Set(
  "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg ru uk hi th zh-CN ja zh-TW ko".split(
    " ",
  ),
);

/** Each localized name is a name and each description a description, under a locale Discord has. */
function checkLocalizations(node: Json, path: Path, problems: FieldProblem[]): void {
  for (const [field, check] of [
    ["name_localizations", checkName],
    ["description_localizations", checkDescription],
  ] as const) {
    const map = node?.[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== "object" || Array.isArray(map)) {
      problems.push({
        path: [...path, field],
        code: "DICT_TYPE_CONVERT",
        message: "Only dictionaries may be used",
      });
      continue;
    }
    for (const [locale, value] of Object.entries(map as Record<string, unknown>)) {
      if (!LOCALES.has(locale))
        problems.push({
          path: [...path, field, locale],
          code: "ENUM_TYPE_COERCE",
          message: `"${locale}" is not a valid locale`,
        });
      else check(value, [...path, field, locale], problems);
    }
  }
}

function checkOptions(options: unknown, path: Path, problems: FieldProblem[], depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    problems.push({ path, code: "BASE_TYPE_ARRAY", message: "Must be an array." });
    return;
  }
  if (options.length > 25)
    problems.push({ path, code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length." });
  const names = new Set<string>();
  let sawOptional = false;
  options.forEach((o: Json, i: number) => {
    const p: Path = [...path, i];
    const type = o?.type;
    if (typeof type !== "number" || type < 1 || type > 11) {
      problems.push({
        path: [...p, "type"],
        code: "BASE_TYPE_CHOICES",
        message: "Value must be one of 1..11.",
      });
      return;
    }
    checkName(o.name, [...p, "name"], problems);
    checkDescription(o.description, [...p, "description"], problems);
    checkLocalizations(o, p, problems);
    if (typeof o.name === "string") {
      if (names.has(o.name)) {
        problems.push({
          path: [...p, "name"],
          code: "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
          message: "Option names must be unique",
        });
      }
      names.add(o.name);
    }
    const isSub = type === OptionType.Subcommand || type === OptionType.SubcommandGroup;
    if (isSub) {
      if (depth >= 2 || (depth === 1 && type === OptionType.SubcommandGroup)) {
        problems.push({
          path: [...p, "type"],
          code: "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
          message: "Sub-command groups cannot be nested",
        });
      }
      if (type === OptionType.SubcommandGroup) {
        const subs = Array.isArray(o.options) ? o.options : [];
        if (subs.some((s: Json) => s?.type !== OptionType.Subcommand)) {
          problems.push({
            path: [...p, "options"],
            code: "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            message: "Sub-command groups may only contain sub-commands",
          });
        }
      }
      checkOptions(o.options, [...p, "options"], problems, depth + 1);
      return;
    }
    if (o.required) {
      if (sawOptional) {
        problems.push({
          path: [...p, "required"],
          code: "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
          message: "Required options must be placed before non-required options",
        });
      }
    } else sawOptional = true;
    const choices = o.choices;
    if (choices !== undefined) {
      if (!([OptionType.String, OptionType.Integer, OptionType.Number] as number[]).includes(type)) {
        problems.push({
          path: [...p, "choices"],
          code: "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
          message: "Choices are not allowed for this option type",
        });
      } else if (!Array.isArray(choices) || choices.length > 25) {
        problems.push({
          path: [...p, "choices"],
          code: "BASE_TYPE_MAX_LENGTH",
          message: "Must be 25 or fewer in length.",
        });
      } else {
        choices.forEach((c: Json, j: number) => {
          const n = typeof c?.name === "string" ? [...c.name].length : 0;
          if (n < 1 || n > 100) {
            problems.push({
              path: [...p, "choices", j, "name"],
              code: "BASE_TYPE_BAD_LENGTH",
              message: "Must be between 1 and 100 in length.",
            });
          }
          if (typeof c?.value === "string" && [...c.value].length > 100) {
            problems.push({
              path: [...p, "choices", j, "value"],
              code: "BASE_TYPE_MAX_LENGTH",
              message: "Must be 100 or fewer in length.",
            });
          }
        });
      }
      if (o.autocomplete && Array.isArray(choices) && choices.length > 0) {
        problems.push({
          path: [...p, "autocomplete"],
          code: "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_EXCLUSIVE",
          message: "Autocomplete and choices are mutually exclusive",
        });
      }
    }
  });
  const hasSub = options.some(
    (o: Json) => o?.type === OptionType.Subcommand || o?.type === OptionType.SubcommandGroup,
  );
  const hasPlain = options.some((o: Json) => typeof o?.type === "number" && o.type > 2);
  if (hasSub && hasPlain) {
    problems.push({
      path,
      code: "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
      message: "Sub-commands and options cannot be mixed at the same level",
    });
  }
}

/** Checks one command; `path` is `[index]` inside a bulk PUT, `[]` for a single POST. */
export function validateCommand(cmd: Json, path: Path): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (cmd === null || typeof cmd !== "object") {
    return [{ path, code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" }];
  }
  const type = cmd.type ?? 1;
  if (type === 1) {
    checkName(cmd.name, [...path, "name"], problems);
    checkDescription(cmd.description, [...path, "description"], problems);
    checkLocalizations(cmd, path, problems);
    checkOptions(cmd.options, [...path, "options"], problems, 0);
  } else {
    const n = typeof cmd.name === "string" ? [...cmd.name].length : 0;
    if (n < 1 || n > 32)
      problems.push({
        path: [...path, "name"],
        code: "BASE_TYPE_BAD_LENGTH",
        message: "Must be between 1 and 32 in length.",
      });
    if (cmd.description) {
      problems.push({
        path: [...path, "description"],
        code: "APPLICATION_COMMAND_DESCRIPTION_INVALID",
        message: "Context menu commands cannot have a description",
      });
    }
  }
  return problems;
}

export function validateCommandList(list: Json): FieldProblem[] {
  if (!Array.isArray(list)) return [{ path: [], code: "BASE_TYPE_ARRAY", message: "Must be an array." }];
  const problems: FieldProblem[] = [];
  if (list.length > 100)
    problems.push({ path: [], code: "BASE_TYPE_MAX_LENGTH", message: "Must be 100 or fewer in length." });
  const seen = new Set<string>();
  list.forEach((cmd: Json, i: number) => {
    problems.push(...validateCommand(cmd, [i]));
    const key = `${cmd?.type ?? 1}:${cmd?.name}`;
    if (seen.has(key)) {
      problems.push({
        path: [i, "name"],
        code: "APPLICATION_COMMANDS_DUPLICATE_NAME",
        message: "Application command names must be unique",
      });
    }
    seen.add(key);
  });
  return problems;
}
