/**
 * A card's image in a message: attached as a file and shown as the embed's image (`attachment://`). Every study
 * view says `attachments: []` with its files, so the update that shows the next card drops the last card's image.
 */
import type { APIEmbed } from "discord.js";
import { IMAGE_EXTENSION, type ImageType } from "../core/decks/images.ts";
import type { StoredImage } from "../services/card-image.ts";

/** The attachment's name: ASCII and fixed (a deck's own file names may hold anything), typed by its bytes. */
export const cardImageName = (image: Pick<StoredImage, "mime">): string =>
  `card.${IMAGE_EXTENSION[image.mime as ImageType] ?? "png"}`;

export interface ImageParts {
  files: { attachment: Buffer; name: string }[];
  attachments: [];
}

/** The embed with the image, and the message's files (none when the card shows no image). */
export function withCardImage(embed: APIEmbed, image: StoredImage | null): { embed: APIEmbed } & ImageParts {
  if (image === null) return { embed, files: [], attachments: [] };
  const name = cardImageName(image);
  return {
    embed: { ...embed, image: { url: `attachment://${name}` } },
    files: [{ attachment: image.bytes, name }],
    attachments: [],
  };
}
