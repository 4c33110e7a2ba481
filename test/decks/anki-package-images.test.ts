/**
 * Images in Anki packages: every collection version brings the images its cards show (checked by their bytes,
 * within decks/FORMAT.md's caps), sounds are named as dropped, and a file that is not the image its name claims
 * refuses the package. Fixtures are built with Anki's schema (datagen/anki-packages.ts).
 */
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  BASIC,
  collectionBytes,
  GIF_1X1,
  PNG_1X1,
  packageBytes,
  REVERSED,
} from "../../datagen/anki-packages.ts";
import { IMAGE_ONLY_TEXT } from "../../src/core/decks/images.ts";
import { UserError } from "../../src/core/errors.ts";
import { readImportFile } from "../../src/services/deck-file.ts";
import { atOnce } from "../../src/services/slices.ts";

const read = (bytes: Uint8Array) => atOnce(readImportFile({ fileName: "deck.apkg", bytes }));

const NOTES = [
  {
    id: 1,
    guid: "pic-1",
    mid: BASIC.id,
    fields: [
      'Which layer is this? <img src="conv.png">',
      'A convolution <img src="kernel.gif"> [sound:say.mp3]',
    ],
    ords: [0],
  },
  // A question that is only an image: the card still has text to list and quiz on.
  { id: 2, guid: "pic-2", mid: BASIC.id, fields: ['<img src="conv.png">', "conv2d"], ords: [0] },
  // Both directions of a note with an image: siblings by their note key.
  {
    id: 3,
    guid: "pic-3",
    mid: REVERSED.id,
    fields: ['<img src="my%20kernel.gif">', "a kernel"],
    ords: [0, 1],
  },
];
const MEDIA = {
  "conv.png": PNG_1X1,
  "kernel.gif": GIF_1X1,
  "say.mp3": Buffer.from("ID3 not read"),
  "my kernel.gif": GIF_1X1,
};

const refusal = async (bytes: Uint8Array): Promise<string> => {
  try {
    await read(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("the package was not refused");
};

/** A legacy package of Basic notes g1, g2, … with these sides, and these media. */
const basic = (sides: [string, string][], media: Record<string, Uint8Array> = {}) =>
  packageBytes(
    "collection.anki2",
    collectionBytes({
      schema: 11,
      noteTypes: [BASIC],
      notes: sides.map(([front, back], k) => ({
        id: k + 1,
        guid: `g${k + 1}`,
        mid: BASIC.id,
        fields: [front, back],
        ords: [0],
      })),
    }),
    {},
    media,
  );

describe.each([
  ["collection.anki2", 11],
  ["collection.anki21", 11],
  ["collection.anki21b", 18],
] as const)("GIVEN a %s package whose cards show images", (entry, schema) => {
  const pkg = () =>
    packageBytes(entry, collectionBytes({ schema, noteTypes: [BASIC, REVERSED], notes: NOTES }), {}, MEDIA);

  it("THEN each card keeps its question's image and its answer's own, and the deck the bytes of each", async () => {
    const file = await read(pkg());
    expect(
      file.cards.map(({ key, front, back, frontImage, backImage, noteKey }) => ({
        key,
        front,
        back,
        frontImage,
        backImage,
        noteKey,
      })),
    ).toEqual([
      {
        key: "pic-1",
        front: "Which layer is this?",
        back: "A convolution",
        frontImage: "conv.png",
        backImage: "kernel.gif",
        noteKey: "pic-1",
      },
      {
        key: "pic-2",
        front: IMAGE_ONLY_TEXT,
        back: "conv2d",
        frontImage: "conv.png",
        backImage: undefined,
        noteKey: "pic-2",
      },
      {
        key: "pic-3",
        front: IMAGE_ONLY_TEXT,
        back: "a kernel",
        frontImage: "my kernel.gif",
        backImage: undefined,
        noteKey: "pic-3",
      },
      {
        key: "pic-3.t1",
        front: "a kernel",
        back: IMAGE_ONLY_TEXT,
        frontImage: undefined,
        backImage: "my kernel.gif",
        noteKey: "pic-3",
      },
    ]);
    expect(file.media.map(({ name, mime, bytes }) => ({ name, mime, bytes }))).toEqual([
      { name: "conv.png", mime: "image/png", bytes: PNG_1X1 },
      { name: "kernel.gif", mime: "image/gif", bytes: GIF_1X1 },
      { name: "my kernel.gif", mime: "image/gif", bytes: GIF_1X1 },
    ]);
    expect(file.warnings.map((w) => w.message).join("\n")).toContain("media dropped: 'say.mp3'");
  });
});

describe("GIVEN a package whose media are not what they claim, or too large", () => {
  const one = (
    front: string,
    media: Record<string, Uint8Array>,
    entry: "collection.anki2" | "collection.anki21b" = "collection.anki2",
  ) =>
    packageBytes(
      entry,
      collectionBytes({
        schema: entry === "collection.anki2" ? 11 : 18,
        noteTypes: [BASIC],
        notes: [{ id: 1, guid: "g1", mid: BASIC.id, fields: [front, "back"], ords: [0] }],
      }),
      {},
      media,
    );

  it("THEN a file named .png that is no image refuses the package, naming it", async () => {
    for (const entry of ["collection.anki2", "collection.anki21b"] as const) {
      const message = await refusal(
        one('<img src="evil.png">', { "evil.png": Buffer.from("<script>alert(1)</script>") }, entry),
      );
      expect(message).toContain("Nothing was imported");
      expect(message).toContain("its media file 'evil.png' is not the PNG image its name says");
    }
  });

  it("THEN a PNG named .jpg is kept as the PNG it is", async () => {
    const file = await read(one('<img src="photo.jpg">', { "photo.jpg": PNG_1X1 }));
    expect(file.media.map((m) => [m.name, m.mime])).toEqual([["photo.jpg", "image/png"]]);
  });

  it("THEN an image over 1 MiB is dropped with a warning, and its card imported with its text", async () => {
    const big = Buffer.concat([PNG_1X1, Buffer.alloc(1024 * 1024)]);
    for (const entry of ["collection.anki2", "collection.anki21b"] as const) {
      const file = await read(one('Big <img src="big.png">', { "big.png": big }, entry));
      expect(file.cards.map((c) => [c.front, c.frontImage])).toEqual([["Big", undefined]]);
      expect(file.media).toEqual([]);
      expect(file.warnings.map((w) => w.message).join("\n")).toContain("'big.png' (over 1 MiB)");
    }
  });

  it("THEN a card whose only content is an image it cannot keep is skipped, saying why", async () => {
    const file = await read(
      basic([
        ['<img src="gone.png">', "back"],
        ["kept", "back"],
      ]),
    );
    expect(file.cards.map((c) => c.key)).toEqual(["g2"]);
    const said = file.warnings.map((w) => w.message).join("\n");
    expect(said).toContain("has nothing the bot can show on its question");
    expect(said).toContain("'gone.png' (not in the package)");
  });

  it("THEN media that inflate past 32 MiB (a bomb among the media) refuse the package", async () => {
    const col = collectionBytes({
      schema: 11,
      noteTypes: [BASIC],
      notes: [{ id: 1, guid: "g", mid: BASIC.id, fields: ["a", "b"], ords: [0] }],
    });
    const bomb = zipSync(
      {
        "collection.anki2": col,
        media: new TextEncoder().encode('{"0":"a.png"}'),
        "0": new Uint8Array(33 * 1024 * 1024),
      },
      { level: 9 },
    );
    expect(await refusal(bomb)).toContain("its media unpack to more than 32 MiB");
  });

  it("THEN a media map that is not JSON refuses the package", async () => {
    const col = collectionBytes({
      schema: 11,
      noteTypes: [BASIC],
      notes: [{ id: 1, guid: "g", mid: BASIC.id, fields: ["a", "b"], ords: [0] }],
    });
    const bad = zipSync({ "collection.anki2": col, media: new TextEncoder().encode("{not json") });
    expect(await refusal(bad)).toContain("its media map is not valid JSON");
  });
});

describe("GIVEN a package built to be slow or huge through its images and templates", () => {
  /** A zstd frame that decodes to a PNG followed by `blocks` one-byte blocks: cheap to send, slow to decode. */
  function slowPng(blocks: number): Uint8Array {
    const size = PNG_1X1.length + blocks;
    const head = [0x28, 0xb5, 0x2f, 0xfd, 0x60, (size - 256) & 255, ((size - 256) >> 8) & 255];
    const first = (PNG_1X1.length << 3) | 0;
    const parts: number[] = [...head, first & 255, (first >> 8) & 255, (first >> 16) & 255, ...PNG_1X1];
    for (let k = 0; k < blocks; k++) parts.push((1 << 3) | (k === blocks - 1 ? 1 : 0), 0, 0, 0);
    return Uint8Array.from(parts);
  }

  it("THEN images whose zstd frames together pass the package's one budget refuse it, before decoding", async () => {
    const media: Record<string, Uint8Array> = {};
    for (let k = 0; k < 12; k++) media[`p${k}.png`] = slowPng(1_500);
    // Stored as already zstd-compressed entries (packageBytes compresses anki21b media itself: bypass it).
    const col = collectionBytes({
      schema: 18,
      noteTypes: [BASIC],
      notes: Array.from({ length: 12 }, (_, k) => ({
        id: k + 1,
        guid: `g${k}`,
        mid: BASIC.id,
        fields: [`p ${k} <img src="p${k}.png">`, "b"],
        ords: [0],
      })),
    });
    const names = Object.keys(media);
    const { zipSync } = await import("fflate");
    const { zstdRaw } = await import("../../datagen/anki-packages.ts");
    const protobuf = (await import("protobufjs/minimal.js")).default;
    const w = protobuf.Writer.create();
    for (const name of names)
      w.uint32((1 << 3) | 2).bytes(
        protobuf.Writer.create()
          .uint32((1 << 3) | 2)
          .string(name)
          .finish(),
      );
    const files: Record<string, Uint8Array> = {
      "collection.anki21b": zstdRaw(col),
      media: zstdRaw(w.finish()),
    };
    names.forEach((n, k) => {
      files[String(k)] = media[n] as Uint8Array;
    });
    // Each frame alone is well inside the budget (1,500 of 16,000): only their sum is not.
    expect(await refusal(zipSync(files))).toContain("zstd data is built to take minutes to unpack");
  });

  it("THEN an image named with more than 255 characters is dropped, its card kept with its text", async () => {
    const long = `${"x".repeat(300)}.png`;
    const file = await read(basic([[`Long <img src="${long}">`, "b"]], { [long]: PNG_1X1 }));
    expect(file.cards.map((c) => [c.front, c.frontImage])).toEqual([["Long", undefined]]);
    expect(file.warnings.map((w) => w.message).join("\n")).toContain("(a name over 255 characters)");
  });

  it("THEN a note type with a template over 64 KiB refuses the package, and a side rendering to over 32 KiB of HTML skips its card", async () => {
    const huge = {
      ...BASIC,
      id: 2001,
      templates: [{ name: "Card 1", qfmt: `{{Front}}${"<b></b>".repeat(12_000)}`, afmt: "{{Back}}" }],
    };
    const big = packageBytes(
      "collection.anki2",
      collectionBytes({
        schema: 11,
        noteTypes: [huge],
        notes: [{ id: 1, guid: "g1", mid: huge.id, fields: ["a", "b"], ords: [0] }],
      }),
    );
    expect(await refusal(big)).toContain("has a card template over 64 KiB");
    const file = await read(
      basic([
        [`<i>${"<b></b>".repeat(6_000)}</i>`, "b"],
        ["kept", "b"],
      ]),
    );
    expect(file.cards.map((c) => c.key)).toEqual(["g2"]);
    expect(file.warnings.map((w) => w.message).join("\n")).toContain(
      "renders to more than 32 KiB of HTML on a side",
    );
  });
});
