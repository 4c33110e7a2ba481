import type { APIEmbed } from "discord.js";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/render/limits.ts";
import { parseQuizId, quizIds } from "../../src/render/quiz-ids.ts";
import {
  formatQuizDate,
  renderAnswerFeedback,
  renderPost,
  renderStatus,
} from "../../src/render/quiz-view.ts";
import type { PostView } from "../../src/services/quiz/post-view.ts";

const view = (over: Partial<PostView> = {}): PostView => ({
  postId: 42,
  date: "2026-03-02",
  dueMembers: 12,
  dueCards: 340,
  dueCardsCapped: false,
  pinged: ["700000000000000001", "700000000000000002"],
  pingedMore: 0,
  question: {
    deckName: "PyTorch",
    front: "What is a tensor?",
    choices: ["a", "b", "c", "d"],
    correctIndex: 2,
  },
  answered: 9,
  correct: 6,
  closed: false,
  locale: null,
  ...over,
});

const embedChars = (e: APIEmbed) =>
  (e.title?.length ?? 0) +
  (e.description?.length ?? 0) +
  (e.footer?.text.length ?? 0) +
  (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);

describe("GIVEN a day's post", () => {
  it("THEN it shows the due summary, the question with A–D, the tally, and buttons A B C D + Start my review", () => {
    const p = renderPost(view(), { ping: true });
    const e = p.embeds[0]!;
    expect(e.title).toBe("Daily quiz · Monday 2 March 2026");
    expect(e.description).toContain("**12** members have **340** cards due");
    expect(e.description).toContain("**Question of the day** · *PyTorch*\nWhat is a tensor?");
    expect(e.fields).toEqual([
      { name: "A", value: "a" },
      { name: "B", value: "b" },
      { name: "C", value: "c" },
      { name: "D", value: "d" },
    ]);
    expect(e.footer?.text).toBe("9 answered · 6 correct");
    const labels = p.components.map((r) => r.components.map((c) => ("label" in c ? c.label : "")));
    expect(labels).toEqual([["A", "B", "C", "D"], ["Start my review"]]);
    expect(p.content).toBe("<@700000000000000001> <@700000000000000002> — you have cards due today.");
    expect(p.allowed_mentions).toEqual({ parse: [], users: ["700000000000000001", "700000000000000002"] });
  });

  it("THEN a total the due summary stopped counting at shows as a lower bound", () => {
    const p = renderPost(view({ dueMembers: 4321, dueCards: 10_000, dueCardsCapped: true }));
    expect(p.embeds[0]?.description).toContain("**4321** members have **10,000+** cards due");
  });

  it("THEN edits never ping; nobody due → all caught up and no mention line", () => {
    expect(renderPost(view()).allowed_mentions).toEqual({ parse: [] });
    const p = renderPost(view({ dueMembers: 0, dueCards: 0, pinged: [] }), { ping: true });
    expect(p.embeds[0]?.description).toContain("All caught up");
    expect(p.content).toBeUndefined();
    expect(p.allowed_mentions).toEqual({ parse: [], users: [] });
  });

  it("THEN closed: the answer is marked, A–D disabled, the right one green", () => {
    const p = renderPost(view({ closed: true }));
    expect(p.embeds[0]?.fields?.map((f) => f.name)).toEqual(["A", "B", "C ✅", "D"]);
    expect(p.embeds[0]?.description).toContain("**Answer: C**");
    const buttons = p.components[0]!.components;
    expect(buttons.every((b) => b.disabled)).toBe(true);
    expect(buttons.map((b) => b.style)).toEqual([2, 2, 3, 2]);
    expect(p.components[1]!.components[0]!.disabled).toBe(false);
  });

  it("THEN huge card texts are clipped so the embed stays within Discord's limits", () => {
    const long = "x".repeat(10_000);
    const p = renderPost(
      view({ question: { deckName: long, front: long, choices: [long, long, long, long], correctIndex: 0 } }),
    );
    const e = p.embeds[0]!;
    expect(e.description!.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect(embedChars(e)).toBeLessThanOrEqual(LIMITS.embedTotal);
    expect(e.description).toContain("*(cut)*");
    expect(e.fields).toHaveLength(4);
    for (const f of e.fields ?? []) {
      expect(f.value.length).toBeLessThanOrEqual(LIMITS.embedFieldValue);
      expect(f.value).toMatch(/^x+ … \*\(cut\)\*$/);
    }
    const many = Array.from({ length: 80 }, (_, k) => String(700000000000000000n + BigInt(k)));
    const q = renderPost(view({ pinged: many, pingedMore: 300 }), { ping: true });
    expect(q.content!.length).toBeLessThanOrEqual(LIMITS.content);
    expect(q.allowed_mentions.users).toHaveLength(80);
  });

  it("THEN the answer feedback shows the full answer (clipped only at Discord's limit)", () => {
    const post = {
      front: "Q?",
      choices: [
        { cardId: 1, text: `line1\nline2 ${"y".repeat(3000)}` },
        { cardId: 2, text: "n" },
      ],
      correctIndex: 0,
      deckName: "Deck",
      deckId: "deck",
    } as never;
    const f = renderAnswerFeedback({
      kind: "answered",
      post,
      choice: 1,
      correct: false,
      reviewed: true,
      subscribed: true,
      notice: null,
    });
    const d = f.embeds[0]!.description!;
    expect(d).toContain("line1\nline2");
    expect(d).toContain("y".repeat(3000));
    expect(d).toContain("Again");
    expect(d.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    const a = renderAnswerFeedback({ kind: "already", post, choice: 1, correct: false });
    expect(a.content).toMatch(/already answered/);
  });

  it("THEN multi-line choices keep their lines, bullets and code blocks, and card markdown is escaped", () => {
    const code = "Subclass it:\n```py\nclass Net(nn.Module):\n    def __init__(self): ...\n```";
    const bullets = "• __len__()\n• __getitem__()";
    const p = renderPost(
      view({
        question: {
          deckName: "my_deck *v2*",
          front: "What does a **Dataset** need? (__init__ aside)",
          choices: [code, bullets, "*italic* and 2*3", `\`\`\`\n${"x = 1\n".repeat(400)}\`\`\``],
          correctIndex: 0,
        },
      }),
    );
    const e = p.embeds[0]!;
    expect(e.description).toContain(
      "· *my\\_deck \\*v2\\**\nWhat does a **Dataset** need? (\\_\\_init\\_\\_ aside)",
    );
    const values = e.fields!.map((f) => f.value);
    expect(values.slice(0, 3)).toEqual([
      code,
      "• \\_\\_len\\_\\_()\n• \\_\\_getitem\\_\\_()",
      "*italic* and 2\\*3",
    ]);
    // A cut code block is closed before the marker, within the field's limit.
    expect(values[3]).toMatch(/^```\n(x = 1\n)+[x =1]*\n``` … \*\(cut\)\*$/);
    expect(values[3]!.length).toBeLessThanOrEqual(LIMITS.embedFieldValue);
    expect(embedChars(e)).toBeLessThanOrEqual(LIMITS.embedTotal);
  });

  it("THEN the answer feedback and the closed reply escape card markdown", () => {
    const post = {
      front: "Which method __init__s a module?",
      choices: [
        { cardId: 1, text: "__init__()" },
        { cardId: 2, text: "forward()" },
      ],
      correctIndex: 0,
      deckName: "Deck",
      deckId: "deck",
    } as never;
    const f = renderAnswerFeedback({
      kind: "answered",
      post,
      choice: 1,
      correct: false,
      reviewed: false,
      subscribed: true,
      notice: null,
    });
    expect(f.embeds[0]!.description).toContain(
      "**Question**\nWhich method \\_\\_init\\_\\_s a module?\n\n**Answer**\n\\_\\_init\\_\\_()",
    );
    const closed = renderAnswerFeedback({ kind: "closed", post });
    expect(closed.content).toBe("This question is closed. The answer was **A**:\n\\_\\_init\\_\\_()");
  });

  it("THEN custom ids round-trip and stay short", () => {
    expect(parseQuizId(quizIds.answer(123456, 3))).toEqual({ action: "answer", postId: 123456, choice: 3 });
    expect(parseQuizId(quizIds.review(7))).toEqual({ action: "review", postId: 7 });
    expect(parseQuizId("qz:a:1:4")).toBeNull();
    expect(parseQuizId("qz:a:zz")).toBeNull();
  });

  it("THEN status says when nothing is set up", () => {
    expect(renderStatus({ config: undefined, last: undefined }, "1").content).toMatch(/not set up/);
    expect(formatQuizDate("2026-10-25")).toBe("Sunday 25 October 2026");
  });
});
