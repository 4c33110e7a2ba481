import { DiscordAPIError } from "discord.js";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import { outcomeOf, StaleInteraction } from "../../src/discord/outcome.ts";

const apiError = (code: number, status: number) =>
  new DiscordAPIError({ code, message: "refused" }, code, status, "POST", "/interactions/1/t/callback", {});

describe("GIVEN what a handler threw", () => {
  it("THEN a UserError is the member's (user_error), an unknown command or button is stale", () => {
    expect(outcomeOf(new UserError("Pick a deck first."))).toBe("user_error");
    expect(outcomeOf(new StaleInteraction("no longer supported"))).toBe("stale");
  });

  it("THEN Discord's 'unknown interaction' (10062) and 'already acknowledged' (40060) are stale", () => {
    expect(outcomeOf(apiError(10062, 404))).toBe("stale");
    expect(outcomeOf(apiError(40060, 400))).toBe("stale");
  });

  it("THEN any other error, including Discord's other refusals, is a bug", () => {
    expect(outcomeOf(new Error("boom"))).toBe("bug");
    expect(outcomeOf(new TypeError("x is undefined"))).toBe("bug");
    expect(outcomeOf(apiError(50035, 400))).toBe("bug"); // an invalid form body: the bot sent it
    expect(outcomeOf("a string")).toBe("bug");
  });
});
