/**
 * What a sandbox user can do, shared by the scenario runner and the terminal client: find and click buttons the
 * way a person would, re-click a previous click, run the scheduler's tick.
 */
import type { DiscordEmulator, StoredMessage, UserHandle } from "../emulator/index.ts";
import { buttonsOf, type TranscriptButton } from "./transcript.ts";
import { findTick, type SandboxWorld } from "./world.ts";

/** A step that cannot be performed as written (no such button, no scheduler…): a clear message, no stack. */
export class ActionError extends Error {
  override name = "ActionError";
}

export interface ClickRecord {
  messageId: string;
  customId: string;
  label: string;
}

const newestFirst = (a: StoredMessage, b: StoredMessage) =>
  BigInt(a.id) > BigInt(b.id) ? -1 : BigInt(a.id) < BigInt(b.id) ? 1 : 0;

const clickable = (b: TranscriptButton): b is TranscriptButton & { custom_id: string } =>
  !b.disabled && b.custom_id !== undefined;

/**
 * Finds what `target` means for `user`: the most recent message they can see with an enabled button whose
 * custom_id or label is exactly `target`; failing that, whose label starts with it ("Good" → "Good · 4d").
 */
export function findButton(
  emu: DiscordEmulator,
  user: UserHandle,
  target: string,
  channelIds: string[],
): { message: StoredMessage; button: TranscriptButton & { custom_id: string } } {
  const messages = channelIds.flatMap((id) => emu.seenBy(user, id)).sort(newestFirst);
  const tests = [
    (b: TranscriptButton) => b.custom_id === target || b.label === target,
    (b: TranscriptButton) => b.label.startsWith(target),
  ];
  for (const test of tests) {
    for (const message of messages) {
      const button = buttonsOf(message.components).find((b) => clickable(b) && test(b));
      if (button && clickable(button)) return { message, button };
    }
  }
  const offered = messages
    .slice(0, 3)
    .map((m) => buttonsOf(m.components).filter(clickable))
    .filter((list) => list.length > 0)
    .map((list) => list.map((b) => `"${b.label}"`).join(", "));
  throw new ActionError(
    `${user.name} sees no enabled button "${target}"` +
      (offered.length > 0
        ? ` (buttons on their latest messages: ${offered.join(" | ")})`
        : " (no message they can see has enabled buttons)"),
  );
}

/** Clicks `target` (label, label prefix or custom_id) for `user`; returns what was clicked. */
export async function clickButton(
  world: SandboxWorld,
  user: UserHandle,
  target: string,
): Promise<ClickRecord> {
  // The world's channels and the threads started in them (a review party plays in one).
  const channels = [...world.channels.values()].flatMap((c) => [
    c.id,
    ...world.emu.threadsOf(c.id).map((t) => t.id),
  ]);
  const { message, button } = findButton(world.emu, user, target, channels);
  await world.emu.click({ user, message, customId: button.custom_id });
  return { messageId: message.id, customId: button.custom_id, label: button.label };
}

/**
 * Re-clicks exactly a previous click: same message, same custom_id. If the message was edited since (the usual
 * case: rating a card edits the message in place), the click is sent as a user whose screen still shows the
 * earlier render would send it, i.e. a double click that lands after the first one was answered.
 */
export async function clickAgain(
  world: SandboxWorld,
  user: UserHandle,
  previous: ClickRecord,
): Promise<void> {
  const { emu } = world;
  const message = emu.message(previous.messageId);
  if (!message || message.deleted) {
    throw new ActionError(`The message of ${user.name}'s previous click ("${previous.label}") was deleted`);
  }
  const live = buttonsOf(message.components).find((b) => b.custom_id === previous.customId);
  if (live && !live.disabled) {
    await emu.click({ user, message, customId: previous.customId });
    return;
  }
  const earlier = message.history.some((v) =>
    buttonsOf(v.components).some((b) => b.custom_id === previous.customId && !b.disabled),
  );
  if (!earlier) {
    throw new ActionError(`No version of that message had an enabled "${previous.label}" button`);
  }
  // A click from a screen that still shows the earlier buttons: a double click, as Discord delivers it.
  await emu.click({ user, message, customId: previous.customId, stale: true });
}

/** Runs the scheduler's tick at the bot's clock; returns what it reports (the daily quiz: posted/failed/skipped). */
export async function runTick(world: SandboxWorld): Promise<unknown> {
  if (world.shards !== undefined) return world.tick(world.clock.now()); // every shard process ticks
  const tick = findTick(world.bot);
  if (!tick) throw new ActionError("no scheduler yet: this bot has no tick(now) to run");
  return tick(world.clock.now());
}

/** "posted in 1 server · 1 failed (missing permission)" from a tick report, when it has that shape. */
export function describeTick(report: unknown): string {
  const r = report as { posted?: unknown[]; failed?: { reason?: string }[]; skipped?: unknown[] } | undefined;
  if (!r || !Array.isArray(r.posted)) return "done";
  const parts = [`posted in ${r.posted.length} server${r.posted.length === 1 ? "" : "s"}`];
  if (Array.isArray(r.failed) && r.failed.length > 0)
    parts.push(`${r.failed.length} failed (${r.failed.map((f) => f.reason ?? "?").join(", ")})`);
  if (Array.isArray(r.skipped) && r.skipped.length > 0)
    parts.push(`${r.skipped.length} missed day(s) skipped`);
  return parts.join(" · ");
}
