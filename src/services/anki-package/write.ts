/**
 * A deck as an Anki package (.apkg) with its images: what `/deck export format: Anki package` attaches. Each card
 * is a Basic note (src/db/anki/write-collection.ts) whose fields are the card's text as HTML (core/decks/html.ts
 * `textToHtml`, which the import reads back to the same text) and an `<img>` for its image; the images go in as
 * numbered entries with the JSON media map of a legacy package. Reads back through the import to the same cards,
 * keys and images (services/deck-export.ts checks it).
 */
import { zipSync } from "fflate";
import { textToHtml } from "../../core/decks/html.ts";
import { IMAGE_ONLY_TEXT } from "../../core/decks/images.ts";
import { writeCollection } from "../../db/anki/write-collection.ts";
import type { StoredImage } from "../card-image.ts";

export interface PackageCard {
  key: string;
  front: string;
  back: string;
  tags: string[];
  frontImage: string | null;
  backImage: string | null;
}

const attr = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** A side's field: its text (none when it only stood in for an image) and its image. */
function field(text: string, image: string | null): string {
  const words = image !== null && text === IMAGE_ONLY_TEXT ? "" : textToHtml(text);
  return image === null ? words : `${words}${words === "" ? "" : " "}<img src="${attr(image)}">`;
}

export function ankiPackage(
  deckName: string,
  cards: PackageCard[],
  images: StoredImage[],
  now: Date,
): Buffer {
  const used = new Set(cards.flatMap((c) => [c.frontImage, c.backImage]));
  const shipped = images.filter((m) => used.has(m.name));
  // An image a card names but the deck no longer has (a card revived without it) is shown by no view: none here.
  const have = new Set(shipped.map((m) => m.name));
  const present = (name: string | null) => (name !== null && have.has(name) ? name : null);
  const collection = writeCollection(
    deckName,
    cards.map((c) => ({
      guid: c.key,
      front: field(c.front, present(c.frontImage)),
      back: field(c.back, present(c.backImage)),
      tags: c.tags,
    })),
    now,
  );
  const files: Record<string, Uint8Array> = {
    "collection.anki21": collection,
    media: new TextEncoder().encode(
      JSON.stringify(Object.fromEntries(shipped.map((m, k) => [String(k), m.name]))),
    ),
  };
  shipped.forEach((m, k) => {
    files[String(k)] = m.bytes;
  });
  return Buffer.from(zipSync(files, { level: 6 }));
}
