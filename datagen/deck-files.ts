/** Generated deck files of any size, for the tests and the bench's import item (datagen/: see rng.ts). */

/** An Anki "Notes in Plain Text" export with HTML (the slowest format to read) of `n` notes. */
export function ankiExport(n: number): string {
  const header = ["#separator:tab", "#html:true", "#guid column:1", "#deck column:2", "#tags column:5"];
  const notes = Array.from(
    { length: n },
    (_, k) =>
      `g${k.toString(36)}x\tBig deck\tWhat does <b>term ${k}</b> mean in <i>chapter ${k % 40}</i>?\t` +
      `It is <ul><li>the ${k}th idea</li><li>see chapter ${k % 40}</li></ul> and more: ${"lorem ipsum ".repeat(3)}\tch${k % 40}`,
  );
  return `${[...header, ...notes].join("\n")}\n`;
}

/** A CSV of `n` rows, front,back. */
export function csvExport(n: number): string {
  const rows = Array.from(
    { length: n },
    (_, k) => `"Question ${k}: what is item ${k}?","Answer ${k}: ${"lorem ipsum ".repeat(8)}"`,
  );
  return `front,back\n${rows.join("\n")}\n`;
}
