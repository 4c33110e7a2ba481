/** A count with its noun in agreement: `plural(1, "card")` is "1 card", `plural(2, "new card")` "2 new cards". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
