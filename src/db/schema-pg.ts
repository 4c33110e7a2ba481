/**
 * The PostgreSQL tables: the same tables, columns, keys and indexes as `schema.ts` (the one logical schema every
 * query is built against), stored so that the same encoders and decoders serve both engines: instants as epoch-ms
 * `bigint`, flags as 0/1 `smallint`, JSON as text. drizzle-kit writes drizzle/pg from this file
 * (`npm run db:generate`); test/db/schema-pg.test.ts holds it to schema.ts column by column. Only drizzle-kit
 * reads it: src/db builds every query on schema.ts (pg/dialect.ts).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { NEW_PER_DAY_DEFAULT, REVIEW_LIMIT_DEFAULT } from "../core/new-cards.ts";

const ms = (name: string) => bigint(name, { mode: "number" });
const flag = (name: string) => smallint(name);

export const guilds = pgTable("guilds", {
  id: text("id").primaryKey(),
  timezone: text("timezone").notNull().default("UTC"),
  createdAt: ms("created_at").notNull(),
});

export const userSettings = pgTable("user_settings", {
  userId: text("user_id").primaryKey(),
  newPerDay: integer("new_per_day").notNull().default(NEW_PER_DAY_DEFAULT),
  timezone: text("timezone"),
  reminders: flag("reminders").notNull().default(0),
  leaderboardVisible: flag("leaderboard_visible").notNull().default(1),
  retention: doublePrecision("retention").notNull().default(0.9),
  maxInterval: integer("max_interval").notNull().default(36500),
  learningSteps: text("learning_steps").notNull().default("1m 10m"),
  relearningSteps: text("relearning_steps").notNull().default("10m"),
  leechThreshold: integer("leech_threshold").notNull().default(8),
  leechAction: text("leech_action").notNull().default("tag"),
  ratingStyle: text("rating_style").notNull().default("anki"),
  reviewLimit: integer("review_limit").notNull().default(REVIEW_LIMIT_DEFAULT),
  fsrsWeights: text("fsrs_weights"),
  weightsAt: ms("weights_at"),
  weightsReviews: integer("weights_reviews"),
  memoryRefit: flag("memory_refit").notNull().default(0),
});

export const decks = pgTable(
  "decks",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    source: text("source").notNull(),
    filePath: text("file_path"),
    guildId: text("guild_id"),
    ownerId: text("owner_id"),
    retiredAt: ms("retired_at"),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("decks_guild_idx").on(t.guildId)],
);

export const cards = pgTable(
  "cards",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    deckId: text("deck_id")
      .notNull()
      .references(() => decks.id),
    key: text("key").notNull(),
    position: integer("position").notNull(),
    front: text("front").notNull(),
    back: text("back").notNull(),
    tags: text("tags").notNull().default(sql`'[]'`),
    retiredAt: ms("retired_at"),
    frontImage: text("front_image"),
    backImage: text("back_image"),
    noteKey: text("note_key"),
  },
  (t) => [
    uniqueIndex("cards_deck_key_uq").on(t.deckId, t.key),
    index("cards_deck_active_pos_idx").on(t.deckId, t.retiredAt, t.position),
    index("cards_deck_note_idx").on(t.deckId, t.noteKey).where(sql`${t.noteKey} IS NOT NULL`),
  ],
);

/** Image bytes as `bytea` (the SQLite blob's Buffer goes in and comes back as it is). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

export const deckMedia = pgTable(
  "deck_media",
  {
    deckId: text("deck_id")
      .notNull()
      .references(() => decks.id),
    name: text("name").notNull(),
    mime: text("mime").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    bytes: bytea("bytes").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deckId, t.name] })],
);

export const subscriptions = pgTable(
  "subscriptions",
  {
    userId: text("user_id").notNull(),
    deckId: text("deck_id")
      .notNull()
      .references(() => decks.id),
    newPerDay: integer("new_per_day"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deckId] })],
);

export const cardStates = pgTable(
  "card_states",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    due: ms("due").notNull(),
    stability: doublePrecision("stability").notNull(),
    difficulty: doublePrecision("difficulty").notNull(),
    elapsedDays: integer("elapsed_days").notNull(),
    scheduledDays: integer("scheduled_days").notNull(),
    learningSteps: integer("learning_steps").notNull(),
    reps: integer("reps").notNull(),
    lapses: integer("lapses").notNull(),
    state: integer("state").notNull(),
    lastReview: ms("last_review"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.cardId] }),
    index("card_states_user_due_idx").on(t.userId, t.due),
    index("card_states_user_deck_due_idx").on(t.userId, t.deckId, t.due),
    index("card_states_user_learning_due_idx").on(t.userId, t.due).where(sql`${t.state} <> 2`),
  ],
);

export const reviewLogs = pgTable(
  "review_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    guildId: text("guild_id"),
    rating: integer("rating").notNull(),
    state: integer("state").notNull(),
    due: ms("due").notNull(),
    stability: doublePrecision("stability").notNull(),
    difficulty: doublePrecision("difficulty").notNull(),
    elapsedDays: integer("elapsed_days").notNull(),
    lastElapsedDays: integer("last_elapsed_days").notNull(),
    scheduledDays: integer("scheduled_days").notNull(),
    learningSteps: integer("learning_steps").notNull(),
    review: ms("review").notNull(),
    durationMs: integer("duration_ms").notNull(),
    source: text("source").notNull(),
  },
  (t) => [
    index("review_logs_user_review_idx").on(t.userId, t.review),
    index("review_logs_guild_review_idx").on(t.guildId, t.review),
  ],
);

export const cardHolds = pgTable(
  "card_holds",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    kind: text("kind").notNull(),
    until: ms("until"),
    at: ms("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.cardId] })],
);

export const cardLeeches = pgTable(
  "card_leeches",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    lapses: integer("lapses").notNull(),
    at: ms("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.cardId] })],
);

export const memoryFits = pgTable("memory_fits", {
  userId: text("user_id").primaryKey(),
  attemptedAt: ms("attempted_at").notNull(),
  fittedAt: ms("fitted_at"),
  trigger: text("trigger").notNull(),
  reviews: integer("reviews"),
  logLossBefore: doublePrecision("log_loss_before"),
  logLossAfter: doublePrecision("log_loss_after"),
  rmseBefore: doublePrecision("rmse_before"),
  rmseAfter: doublePrecision("rmse_after"),
  applied: flag("applied"),
  calibration: text("calibration"),
});

export const reviewUndos = pgTable(
  "review_undos",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    reps: integer("reps").notNull(),
    at: ms("at").notNull(),
    data: text("data").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.cardId, t.reps] }),
    index("review_undos_user_at_idx").on(t.userId, t.at),
  ],
);

/** Running totals kept by triggers, as on SQLite (drizzle/pg/0001_stat_guild_days_cumulative.sql). */
export const statGuildDays = pgTable(
  "stat_guild_days",
  {
    guildId: text("guild_id").notNull(),
    day: integer("day").notNull(),
    userId: text("user_id").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    points: integer("points").notNull().default(0),
    ms: bigint("ms", { mode: "number" }).notNull().default(0),
    cumReviews: integer("cum_reviews").notNull().default(0),
    cumAgain: integer("cum_again").notNull().default(0),
    cumPoints: integer("cum_points").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.day, t.userId] }),
    index("stat_guild_days_cum_idx").on(t.guildId, t.userId, t.day, t.cumReviews, t.cumAgain, t.cumPoints),
  ],
);

export const statGuildMembers = pgTable(
  "stat_guild_members",
  {
    guildId: text("guild_id").notNull(),
    userId: text("user_id").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    points: integer("points").notNull().default(0),
    ms: bigint("ms", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.userId] })],
);

export const statUserDays = pgTable(
  "stat_user_days",
  {
    userId: text("user_id").notNull(),
    day: integer("day").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    matureReviews: integer("review_state_reviews").notNull().default(0),
    matureAgain: integer("review_state_again").notNull().default(0),
    points: integer("points").notNull().default(0),
    ms: bigint("ms", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

export const statUserSlots = pgTable(
  "stat_user_slots",
  {
    userId: text("user_id").notNull(),
    slot: integer("slot").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    matureReviews: integer("review_state_reviews").notNull().default(0),
    matureAgain: integer("review_state_again").notNull().default(0),
    ms: bigint("ms", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.slot] })],
);

export const statStreaks = pgTable("stat_streaks", {
  userId: text("user_id").primaryKey(),
  lastDay: integer("last_day").notNull(),
  lastZone: text("last_zone").notNull(),
  runDays: integer("run_days").notNull(),
  longest: integer("longest").notNull(),
});

export const quizConfigs = pgTable(
  "quiz_configs",
  {
    guildId: text("guild_id").primaryKey(),
    channelId: text("channel_id").notNull(),
    time: text("time").notNull(),
    timezone: text("timezone").notNull(),
    paused: flag("paused").notNull().default(0),
    nextDate: text("next_date").notNull(),
    nextRunAt: ms("next_run_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
    language: text("language"),
  },
  (t) => [index("quiz_configs_due_idx").on(t.paused, t.nextRunAt)],
);

export const quizPosts = pgTable(
  "quiz_posts",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    guildId: text("guild_id").notNull(),
    localDate: text("local_date").notNull(),
    channelId: text("channel_id").notNull(),
    status: text("status").notNull(),
    claimToken: text("claim_token"),
    claimedAt: ms("claimed_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    reason: text("reason"),
    errorCode: integer("error_code"),
    messageId: text("message_id"),
    postedAt: ms("posted_at"),
    closedAt: ms("closed_at"),
    dueMembers: integer("due_members").notNull().default(0),
    dueCards: integer("due_cards").notNull().default(0),
    pinged: text("pinged").notNull().default(sql`'[]'`),
    pingedMore: integer("pinged_more").notNull().default(0),
    cardId: integer("card_id").references(() => cards.id),
    deckId: text("deck_id"),
    deckName: text("deck_name"),
    front: text("front"),
    choices: text("choices"),
    correctIndex: integer("correct_index"),
    locale: text("locale"),
  },
  (t) => [
    uniqueIndex("quiz_posts_guild_date_uq").on(t.guildId, t.localDate),
    index("quiz_posts_guild_open_idx").on(t.guildId, t.status, t.closedAt),
  ],
);

export const quizAnswers = pgTable(
  "quiz_answers",
  {
    postId: integer("post_id")
      .notNull()
      .references(() => quizPosts.id),
    userId: text("user_id").notNull(),
    choice: integer("choice").notNull(),
    correct: flag("correct").notNull(),
    reviewed: flag("reviewed").notNull(),
    answeredAt: ms("answered_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.userId] }), index("quiz_answers_user_idx").on(t.userId)],
);

export const parties = pgTable(
  "parties",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    guildId: text("guild_id").notNull(),
    channelId: text("channel_id").notNull(),
    threadId: text("thread_id"),
    lobbyMessageId: text("lobby_message_id"),
    hostId: text("host_id").notNull(),
    deckId: text("deck_id").notNull(),
    mode: text("mode").notNull(),
    cards: integer("cards").notNull(),
    seconds: integer("seconds").notNull(),
    status: text("status").notNull(),
    round: integer("round").notNull().default(0),
    wakeAt: ms("wake_at"),
    quietRounds: integer("quiet_rounds").notNull().default(0),
    createdAt: ms("created_at").notNull(),
    startableAt: ms("startable_at").notNull(),
    startedAt: ms("started_at"),
    endedAt: ms("ended_at"),
    endedReason: text("ended_reason"),
  },
  (t) => [
    uniqueIndex("parties_open_channel_uq").on(t.channelId).where(sql`${t.status} <> 'done'`),
    index("parties_wake_idx").on(t.wakeAt).where(sql`${t.status} <> 'done'`),
  ],
);

export const partyPlayers = pgTable(
  "party_players",
  {
    partyId: integer("party_id")
      .notNull()
      .references(() => parties.id),
    userId: text("user_id").notNull(),
    joinedAt: ms("joined_at").notNull(),
    points: integer("points").notNull().default(0),
    correct: integer("correct").notNull().default(0),
    reachedAt: ms("reached_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.userId] })],
);

export const partyRounds = pgTable(
  "party_rounds",
  {
    partyId: integer("party_id")
      .notNull()
      .references(() => parties.id),
    round: integer("round").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    choices: text("choices").notNull(),
    correctIndex: integer("correct_index").notNull(),
    messageId: text("message_id"),
    opensAt: ms("opens_at").notNull(),
    closesAt: ms("closes_at").notNull(),
    closedAt: ms("closed_at"),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.round] })],
);

export const partyAnswers = pgTable(
  "party_answers",
  {
    partyId: integer("party_id").notNull(),
    round: integer("round").notNull(),
    userId: text("user_id").notNull(),
    seq: integer("seq").notNull(),
    choice: integer("choice"),
    correct: flag("correct").notNull(),
    answeredAt: ms("answered_at").notNull(),
    points: integer("points").notNull().default(0),
    reviewed: flag("reviewed").notNull(),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.round, t.userId] })],
);

export const cardReports = pgTable(
  "card_reports",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    reporterId: text("reporter_id").notNull(),
    guildId: text("guild_id"),
    text: text("text").notNull(),
    createdAt: ms("created_at").notNull(),
    status: text("status").notNull(),
    resolvedBy: text("resolved_by"),
    resolvedAt: ms("resolved_at"),
  },
  (t) => [
    uniqueIndex("card_reports_open_uq").on(t.cardId, t.reporterId).where(sql`${t.status} = 'open'`),
    index("card_reports_deck_open_idx").on(t.deckId, t.createdAt).where(sql`${t.status} = 'open'`),
  ],
);
