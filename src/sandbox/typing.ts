/**
 * The interactive client inside a scenario: `type` steps feed lines to the same Terminal `npm run sandbox` draws,
 * so a scenario can prove what typing does (a button number after `/as bob`), not only what the bot answers.
 */
import { Readable, Writable } from "node:stream";
import type { FileSaver } from "./saved-files.ts";
import { Terminal } from "./terminal.ts";
import type { SandboxWorld } from "./world.ts";

export class TypedTerminal {
  private printed = "";
  private readonly terminal: Terminal;

  /**
   * Attach it when the world starts: what the bot posts from then on is on its screen, as in the sandbox.
   * `firstMessage` keeps its message numbers (and so the saved files' names) the same as the transcript's.
   */
  constructor(world: SandboxWorld, files: FileSaver, firstMessage: number) {
    const output = new Writable({
      write: (chunk, _encoding, done) => {
        this.printed += String(chunk);
        done();
      },
    });
    this.terminal = new Terminal({ world, input: Readable.from([]), output, files, firstMessage });
  }

  /**
   * Types `line` and returns what the client printed for it. Messages the bot sent since the last line are drawn
   * first, as the sandbox's poll draws them while nobody types, but are not part of the answer. A line the client
   * refuses (it would print `! …`) throws, with the client's message.
   */
  async type(line: string): Promise<string> {
    this.terminal.drain();
    this.printed = "";
    await this.terminal.handle(line);
    return this.printed;
  }
}
