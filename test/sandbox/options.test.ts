import { describe, expect, it } from "vitest";
import { CommandLineError, parseCommandLine } from "../../src/sandbox/options.ts";

describe("GIVEN a command line typed in the sandbox", () => {
  it("THEN words are the command path and name:value pairs its options", () => {
    expect(parseCommandLine("/study")).toEqual({ command: "study", options: {} });
    expect(parseCommandLine("/deck subscribe deck:pytorch")).toEqual({
      command: "deck subscribe",
      options: { deck: "pytorch" },
    });
    expect(parseCommandLine("/quiz setup channel:study time:09:00 timezone:Europe/Berlin")).toEqual({
      command: "quiz setup",
      options: { channel: "study", time: "09:00", timezone: "Europe/Berlin" },
    });
  });

  it("THEN quotes keep spaces, around the value or the whole pair", () => {
    expect(parseCommandLine(`/deck subscribe deck:"my deck"`).options).toEqual({ deck: "my deck" });
    expect(parseCommandLine(`/x a 'name:two words' b:""`).options).toEqual({ name: "two words", b: "" });
  });

  it("THEN mistakes are explained", () => {
    expect(() => parseCommandLine("/deck subscribe deck:my deck")).toThrow(/quote values with spaces/);
    expect(() => parseCommandLine(`/deck subscribe deck:"my deck`)).toThrow(CommandLineError);
    expect(() => parseCommandLine("/")).toThrow(/Type a command/);
  });
});

describe("GIVEN Discord markup in a message drawn in the terminal", () => {
  it("THEN timestamps are relative to the bot's clock and mentions show names", async () => {
    const { readable } = await import("../../src/sandbox/message-drawing.ts");
    const now = new Date("2026-03-02T08:00:00Z");
    const names = (id: string) => (id === "42" ? "bob" : id);
    expect(readable("Next card due <t:1772439000:R>.", now, names)).toBe("Next card due in 10m.");
    expect(readable("<t:1772438400:f> <@42> <@!7>", now, names)).toBe("2026-03-02 08:00 UTC @bob @7");
    expect(readable("Posts in <#9>, <t:1772352000:R>", now, names, () => "study")).toBe(
      "Posts in #study, 1d ago",
    );
  });
});
