import { allTimeZones } from "../core/time.ts";
import { LIMITS } from "./limits.ts";

/** Autocomplete over IANA zone names: prefix matches first, then substring matches; at most 25. */
export function timezoneChoices(query: string): { name: string; value: string }[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, "_");
  const zones = allTimeZones();
  const starts = zones.filter((z) => z.toLowerCase().startsWith(q));
  const contains = zones.filter((z) => !z.toLowerCase().startsWith(q) && z.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, LIMITS.choices).map((z) => ({ name: z, value: z }));
}
