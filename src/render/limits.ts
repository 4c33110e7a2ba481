/** Discord's message limits, in one place. Payloads are cut to fit here, so Discord never rejects them. */
export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedTotal: 6000,
  embeds: 10,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  choices: 25,
  choiceName: 100,
} as const;

export const CUT_MARKER = " … *(cut)*";

/** Cuts `text` to at most `max` characters, ending with a visible marker when it had to cut. */
export function clip(text: string, max: number, marker: string = CUT_MARKER): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - marker.length));
  // Do not split a surrogate pair.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd() + marker;
}

/** Card text is never allowed to ping anyone. */
export const NO_PINGS = { parse: [] as [] };
