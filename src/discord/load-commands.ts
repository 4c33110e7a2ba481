import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Command } from "./command.ts";

export const COMMANDS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../commands");

const NAME = /^[-_a-z0-9]{1,32}$/;

/** Checks one module's default export against the Command contract; returns problems (empty = valid). */
export function validateCommand(mod: unknown, file: string): string[] {
  const c = (mod as { default?: Partial<Command> }).default;
  if (!c || typeof c !== "object") return [`${file}: no default export`];
  const problems: string[] = [];
  const base = file.replace(/\.[jt]s$/, "");
  if (!c.data || typeof c.data.name !== "string" || !NAME.test(c.data.name))
    problems.push(`${file}: data.name invalid`);
  else if (c.data.name !== base)
    problems.push(`${file}: command '${c.data.name}' must live in ${c.data.name}.ts`);
  const desc = c.data?.description;
  if (typeof desc !== "string" || desc.length < 1 || desc.length > 100)
    problems.push(`${file}: description must be 1-100 chars`);
  if (typeof c.execute !== "function") problems.push(`${file}: execute is not a function`);
  if (c.buttons && Object.values(c.buttons).some((h) => typeof h !== "function"))
    problems.push(`${file}: a button handler is not a function`);
  return problems;
}

/** Imports every command file and validates it; throws listing every problem at once. */
export async function loadCommands(dir: string = COMMANDS_DIR): Promise<Command[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") || f.endsWith(".js")) // .js: compiled for shard processes (src/shards/build.ts)
    .sort();
  const commands: Command[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(join(dir, file)).href);
    const p = validateCommand(mod, file);
    if (p.length) problems.push(...p);
    else commands.push((mod as { default: Command }).default);
  }
  if (problems.length) throw new Error(`invalid command modules:\n${problems.join("\n")}`);
  return commands;
}
