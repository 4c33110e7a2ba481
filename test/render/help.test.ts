/**
 * /help in each language: the whole text fits one embed, every line comes from the catalog of that language (no
 * English left in German or Spanish outside command names and code), and the points rules carry the numbers the
 * scoring uses.
 */
import { describe, expect, it } from "vitest";
import { PARTY_POINTS } from "../../src/core/party-scoring.ts";
import { POINTS } from "../../src/core/points.ts";
import { LOCALES } from "../../src/i18n/locales.ts";
import { english, translator } from "../../src/i18n/translate.ts";
import { helpText, pointsRules, renderHelp } from "../../src/render/help.ts";
import { LIMITS } from "../../src/render/limits.ts";

describe("GIVEN /help", () => {
  it.each(LOCALES)("THEN in %s it fits one embed and names every command", (locale) => {
    const embed = renderHelp(translator(locale)).embeds[0]!;
    expect(embed.description.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    for (const command of [
      "/study",
      "/deck import",
      "/leaderboard",
      "/stats",
      "/quiz status",
      "/party start",
    ])
      expect(embed.description).toContain(command);
  });

  it("THEN English reads as before: the title, the studying part and the points rules", () => {
    const help = renderHelp();
    expect(help.embeds[0]!.title).toBe("Study companion");
    expect(helpText()).toContain(
      "**Studying**\n`/deck list` — decks here, with your due / new / total counts\n",
    );
    expect(pointsRules(english).split("\n")).toEqual([
      "• 1 point per review (a card answered in under 1 s counts as a review but earns no points)",
      "• +2 per correct answer to the question of the day",
      "• +5 once a day while your streak is 7 days or more",
      `• review party: in a race the first right answer of a round +${PARTY_POINTS.raceFirst}, each later one ${PARTY_POINTS.raceStep} less (at least +${PARTY_POINTS.raceFloor}); with everyone, +${PARTY_POINTS.everyone} per right answer`,
      "• a Re-do round of today's misses is practice: no points, no schedule change",
    ]);
  });

  it("THEN German and Spanish are whole translations with the same numbers", () => {
    const de = renderHelp(translator("de")).embeds[0]!;
    const es = renderHelp(translator("es")).embeds[0]!;
    expect(de.title).toBe("Lernbegleiter");
    expect(es.title).toBe("Compañero de estudio");
    expect(de.description).toContain("**Antwort zeigen**");
    expect(es.description).toContain("**Mostrar respuesta**");
    expect(pointsRules(translator("de"))).toContain(
      `• +${POINTS.streakBonus} einmal am Tag, solange deine Serie ${POINTS.streakFrom} Tage oder länger ist`,
    );
    expect(pointsRules(translator("es"))).toContain(
      `• ${POINTS.perReview} punto por repaso (una tarjeta respondida en menos de 1 s`,
    );
    // Line by line, no German or Spanish line is the English one (headings, bullets and paragraphs alike).
    const en = helpText().split("\n");
    for (const other of [helpText(translator("de")), helpText(translator("es"))]) {
      const lines = other.split("\n");
      expect(lines).toHaveLength(en.length);
      lines.forEach((l, k) => {
        if (en[k] !== "") expect(l, `line ${k}`).not.toBe(en[k]);
      });
    }
  });
});
