import { describe, expect, it } from "vitest";
import { checkExpectation, readableText } from "../../src/sandbox/expect.ts";
import type { MessageEvent } from "../../src/sandbox/transcript.ts";

const message = (over: Partial<MessageEvent>): MessageEvent => ({
  step: 1,
  event: "create",
  message: 1,
  channel: "study",
  visibleTo: "alice",
  content: "",
  embeds: [],
  buttons: [],
  pings: [],
  files: [],
  ...over,
});

describe("GIVEN a message the bot sent with card text escaped for Discord", () => {
  const shown = message({
    embeds: [
      {
        title: "Card",
        description: "What does \\_\\_init\\_\\_() do?",
        fields: [{ name: "A", value: "x\\*y" }],
      },
    ],
    buttons: [{ label: "Good · 4d", disabled: false }],
  });

  it("THEN its readable text is what Discord shows: no escaping backslashes", () => {
    expect(readableText(shown)).toBe("Card\nWhat does __init__() do?\nA\nx*y\nGood · 4d");
  });

  it("THEN an expectation on the shown text passes, and on bob's view it fails", () => {
    expect(checkExpectation("alice", ["__init__()", "Good"], [], [shown])).toBeNull();
    expect(checkExpectation("bob", ["__init__()"], [], [shown])).toMatch(/showed them no message/);
    expect(checkExpectation("alice", ["__init__()"], ["x*y"], [shown])).toMatch(/none of "x\*y"/);
  });
});
