/**
 * Which number typed in the sandbox terminal clicks which button: the numbering of the latest drawing, and the
 * recent drawings that had buttons, so a change of user can number the buttons that user may click.
 */
import type { DiscordEmulator, UserHandle } from "../emulator/index.ts";
import type { ClickRecord } from "./actions.ts";
import { enabled } from "./message-drawing.ts";
import { buttonsOf } from "./transcript.ts";

export class ButtonNumbers {
  /** Number typed → the button it clicks (from the latest drawing that had buttons the current user can click). */
  private numbers = new Map<number, ClickRecord>();
  /** Message ids of each drawing that had enabled buttons, oldest first: renumbered for whoever types next. */
  private drawings: string[][] = [];

  get(n: number): ClickRecord | undefined {
    return this.numbers.get(n);
  }

  /** Replaces the numbering with the one a drawing just made. */
  use(numbers: Map<number, ClickRecord>): void {
    this.numbers = numbers;
  }

  /** Records a drawing's messages that have enabled buttons (the last 20 drawings are kept). */
  remember(ids: string[]): void {
    if (ids.length === 0) return;
    this.drawings.push(ids);
    if (this.drawings.length > 20) this.drawings.shift();
  }

  /**
   * After a change of user: numbers the buttons the new user can click in the latest drawing that has some (as
   * the messages are now), e.g. the public quiz post drawn while alice typed. Returns the lines that say which.
   */
  renumber(emu: DiscordEmulator, user: UserHandle, channelName: (id: string) => string): string[] {
    for (const ids of [...this.drawings].reverse()) {
      const numbers = new Map<number, ClickRecord>();
      const lines: string[] = [];
      for (const id of ids) {
        const m = emu.message(id);
        if (!m || m.deleted || (m.visibleTo !== "everyone" && m.visibleTo !== user.id)) continue;
        const labels = buttonsOf(m.components)
          .filter(enabled)
          .map((b) => {
            const n = numbers.size + 1;
            numbers.set(n, { messageId: m.id, customId: b.custom_id, label: b.label });
            return `[${n}] ${b.label}`;
          });
        const where = m.visibleTo === "everyone" ? "public" : "only you";
        if (labels.length > 0) lines.push(`  #${channelName(m.channel_id)} (${where}): ${labels.join("  ")}`);
      }
      if (numbers.size > 0) {
        this.numbers = numbers;
        return [`Buttons ${user.name} can click on screen:`, ...lines];
      }
    }
    this.numbers = new Map();
    return [];
  }
}
