/**
 * Scenario files: what a sandbox run does, as JSON. Validated with zod, step by step, so a mistake is reported
 * with its file, its step number and what is wrong.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseDuration } from "../core/clock.ts";
import { isValidTimeZone } from "../core/time.ts";
import { DEFAULT_USERS, type WorldUser } from "./world.ts";

export class ScenarioError extends Error {
  override name = "ScenarioError";
}

const optionValue = z.union([z.string(), z.number(), z.boolean()]);
const name = z.string().regex(/^[a-z0-9_-]{1,32}$/, "lower-case letters, digits, - and _ (1–32 chars)");

const commandStep = z.strictObject({
  as: z.string(),
  command: z
    .string()
    .trim()
    .regex(/^\/?[\w-]+( [\w-]+){0,2}$/, 'a command path such as "study" or "deck subscribe"')
    .transform((s) => s.replace(/^\//, "")),
  options: z.record(z.string(), optionValue).optional(),
  /** Where the command is run; default: the first channel. */
  channel: z.string().optional(),
});
const clickStep = z.strictObject({ as: z.string(), click: z.string().min(1) });
const againStep = z.strictObject({ as: z.string(), again: z.literal(true) });
const advanceStep = z.strictObject({
  advance: z
    .string()
    .refine((s) => parseDuration(s) !== null, 'a duration such as "30m", "4h", "1d" or "1d12h"'),
});
const tickStep = z.strictObject({ tick: z.literal(true) });
const restartStep = z.strictObject({ restart: z.literal(true) });
/** Stops the bot AND the emulator, then starts both again on the same database: a second `npm run sandbox`. */
const relaunchStep = z.strictObject({ relaunch: z.literal(true) });
/** A line typed into the interactive client (slash command, `/as bob`, a button number, `:again`…). */
const typeStep = z.strictObject({ type: z.string().trim().min(1) });
const text = z.string().min(1);
/**
 * Checks what the previous step showed `as`: one message it created or edited that this user can see must contain
 * every `expect` text and none of the `lacks` texts (content, embeds, button labels and file names).
 */
const expectStep = z.strictObject({
  as: z.string(),
  expect: z.union([text, z.array(text).min(1)]).transform((t) => (Array.isArray(t) ? t : [t])),
  lacks: z
    .union([text, z.array(text)])
    .transform((t) => (Array.isArray(t) ? t : [t]))
    .optional(),
});

const STEP_KINDS = {
  command: commandStep,
  click: clickStep,
  again: againStep,
  advance: advanceStep,
  tick: tickStep,
  restart: restartStep,
  relaunch: relaunchStep,
  type: typeStep,
  expect: expectStep,
} as const;
type StepKind = keyof typeof STEP_KINDS;

export type Step =
  | ({ kind: "command" } & z.infer<typeof commandStep>)
  | ({ kind: "click" } & z.infer<typeof clickStep>)
  | ({ kind: "again" } & z.infer<typeof againStep>)
  | ({ kind: "advance"; ms: number } & z.infer<typeof advanceStep>)
  | ({ kind: "tick" } & z.infer<typeof tickStep>)
  | ({ kind: "restart" } & z.infer<typeof restartStep>)
  | ({ kind: "relaunch" } & z.infer<typeof relaunchStep>)
  | ({ kind: "type" } & z.infer<typeof typeStep>)
  | ({ kind: "expect" } & z.infer<typeof expectStep>);

/** A Discord locale code such as "de", "es-ES" or "en-US" (any: the bot falls back to English). */
const discordLocale = z
  .string()
  .regex(/^[a-z]{2}(-[A-Z]{2}|-\d{3})?$/, 'a Discord locale such as "de" or "es-ES"');

const header = z.strictObject({
  start: z.iso.datetime({ offset: true }).optional(),
  timezone: z.string().refine(isValidTimeZone, "an IANA timezone such as Europe/Berlin").optional(),
  /** The server's language as Discord reports it (`guild_locale`). */
  locale: discordLocale.optional(),
  channels: z.array(name).min(1).optional(),
  users: z
    .array(
      z.strictObject({
        name,
        admin: z.boolean().optional(),
        id: z
          .string()
          .regex(/^\d{17,20}$/, "a snowflake: 17–20 digits")
          .optional(),
        /** The member's Discord client language (an interaction's `locale`). */
        locale: discordLocale.optional(),
      }),
    )
    .min(1)
    .optional(),
  steps: z.array(z.unknown()),
});

export interface Scenario {
  start: string | undefined;
  timezone: string | undefined;
  locale: string | undefined;
  channels: string[];
  users: WorldUser[];
  steps: Step[];
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.length > 0 ? `${i.path.join(".")}: ` : "";
      return `${path}${i.message}`;
    })
    .join("; ");
}

/**
 * Validates a parsed scenario. Throws ScenarioError naming the source, the step (1-based, as in transcripts,
 * and its `steps[i]` path) and what is wrong.
 */
export function parseScenario(raw: unknown, source = "scenario"): Scenario {
  const top = header.safeParse(raw);
  if (!top.success) throw new ScenarioError(`${source}: ${describeIssues(top.error)}`);
  const h = top.data;
  const channels = h.channels ?? ["study"];
  const users = h.users ?? DEFAULT_USERS;
  const dup = (list: string[]) => list.find((x, k) => list.indexOf(x) !== k);
  const dupChannel = dup(channels);
  if (dupChannel) throw new ScenarioError(`${source}: channels: "${dupChannel}" is listed twice`);
  const dupUser = dup(users.map((u) => u.name));
  if (dupUser) throw new ScenarioError(`${source}: users: "${dupUser}" is listed twice`);
  const dupId = dup(users.flatMap((u) => (u.id ? [u.id] : [])));
  if (dupId) throw new ScenarioError(`${source}: users: id ${dupId} is used twice`);
  if (h.steps.length === 0) throw new ScenarioError(`${source}: steps: a scenario needs at least one step`);
  const userNames = new Set(users.map((u) => u.name));

  const steps = h.steps.map((rawStep, k): Step => {
    const where = `${source}: step ${k + 1} (steps[${k}])`;
    const fail = (why: string): never => {
      throw new ScenarioError(`${where}: ${why} — got ${JSON.stringify(rawStep)}`);
    };
    if (typeof rawStep !== "object" || rawStep === null || Array.isArray(rawStep)) {
      return fail("a step is an object");
    }
    const kinds = (Object.keys(STEP_KINDS) as StepKind[]).filter((key) => key in rawStep);
    if (kinds.length !== 1) {
      return fail(
        kinds.length === 0
          ? `expected one of ${(Object.keys(STEP_KINDS) as StepKind[]).map((x) => `"${x}"`).join(", ")}`
          : `a step does one thing, this one has ${kinds.map((x) => `"${x}"`).join(" and ")}`,
      );
    }
    const kind = kinds[0] as StepKind;
    const parsed = STEP_KINDS[kind].safeParse(rawStep);
    if (!parsed.success) return fail(describeIssues(parsed.error));
    const data = parsed.data as Record<string, unknown>;
    if ("as" in data && !userNames.has(String(data.as))) {
      fail(`"as": no user named "${String(data.as)}" (users: ${[...userNames].join(", ")})`);
    }
    if (kind === "command" && data.channel !== undefined) {
      const ch = String(data.channel).replace(/^#/, "");
      if (!channels.includes(ch)) fail(`"channel": no channel "${ch}" (channels: ${channels.join(", ")})`);
      data.channel = ch;
    }
    if (kind === "advance")
      return { kind, ...(data as { advance: string }), ms: parseDuration(String(data.advance)) ?? 0 };
    return { kind, ...data } as Step;
  });

  return { start: h.start, timezone: h.timezone, locale: h.locale, channels, users, steps };
}

/** Reads and validates a scenario file; errors name the file. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ScenarioError(`${file}: cannot read it (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseScenario(raw, file);
}
