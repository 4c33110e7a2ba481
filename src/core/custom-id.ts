/**
 * Button custom_ids: everything a click needs, so no session lives in memory (≤ 100 chars, Discord's limit).
 * Numbers are base 36; instants are whole seconds; snowflakes are base 36 too (13 chars at most).
 */
export const CUSTOM_ID_MAX = 100;

export const b36 = (n: number | bigint): string => n.toString(36);
export const fromB36 = (s: string | undefined): number | null => {
  if (s === undefined || !/^[0-9a-z]{1,13}$/.test(s)) return null;
  const n = Number.parseInt(s, 36);
  return Number.isSafeInteger(n) ? n : null;
};
export const snowflakeTo36 = (id: string): string => BigInt(id).toString(36);
export const snowflakeFrom36 = (s: string | undefined): string | null => {
  if (s === undefined || !/^[0-9a-z]{1,13}$/.test(s)) return null;
  let n = 0n;
  for (const ch of s) n = n * 36n + BigInt(Number.parseInt(ch, 36));
  return n.toString();
};

/** Joins parts with ':' and refuses anything over Discord's limit (a bug, not a user error). */
export function encodeId(...parts: (string | number)[]): string {
  const id = parts.join(":");
  if (id.length > CUSTOM_ID_MAX) throw new Error(`custom_id too long (${id.length}): ${id}`);
  return id;
}
