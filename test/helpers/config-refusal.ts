import { expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

/** The environment the config tests start from: a token and nothing else. */
export const BASE_ENV = { DISCORD_TOKEN: "t" };

/** The one line `loadConfig` refuses `env` with (on top of BASE_ENV); fails the test when it is accepted. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig({ ...BASE_ENV, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    return message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}
