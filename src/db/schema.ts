import { sql } from "drizzle-orm";
import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { NEW_PER_DAY_DEFAULT, REVIEW_LIMIT_DEFAULT } from "../core/new-cards.ts";

/** Instants are stored as integer epoch milliseconds (drizzle maps them to Date). */
const ms = (name: string) => integer(name, { mode: "timestamp_ms" });

/** A server the bot is in, with its study-day timezone. */
export const guilds = sqliteTable("guilds", {
  id: text("id").primaryKey(),
  timezone: text("timezone").notNull().default("UTC"),
  createdAt: ms("created_at").notNull(),
});

/** Per-member preferences (global to the user, not per server). */
export const userSettings = sqliteTable("user_settings", {
  userId: text("user_id").primaryKey(),
  newPerDay: integer("new_per_day").notNull().default(NEW_PER_DAY_DEFAULT),
  timezone: text("timezone"),
  reminders: integer("reminders", { mode: "boolean" }).notNull().default(false),
  leaderboardVisible: integer("leaderboard_visible", { mode: "boolean" }).notNull().default(true),
  /** `/settings scheduling` (core/scheduling.ts SchedulingSettings); steps as `1m 10m` (`none`: no steps). */
  retention: real("retention").notNull().default(0.9),
  maxInterval: integer("max_interval").notNull().default(36500),
  learningSteps: text("learning_steps").notNull().default("1m 10m"),
  relearningSteps: text("relearning_steps").notNull().default("10m"),
  /** `/settings leeches`: the lapse that makes a card a leech (0 = off), and whether a leech is suspended or tagged. */
  leechThreshold: integer("leech_threshold").notNull().default(8),
  leechAction: text("leech_action", { enum: ["suspend", "tag"] })
    .notNull()
    .default("tag"),
  /** `/settings rating`: Anki's four buttons, or Brainscape's five confidence levels (core/rating-styles.ts). */
  ratingStyle: text("rating_style", { enum: ["anki", "confidence"] })
    .notNull()
    .default("anki"),
  /** `/settings reviews`: reviews of cards in review per study day (db/daily-limits.ts). */
  reviewLimit: integer("review_limit").notNull().default(REVIEW_LIMIT_DEFAULT),
  /**
   * `/settings memory`: the member's own FSRS weights (a JSON array of 21 numbers, fitted from their review log by
   * services/memory), null for FSRS's defaults; when they were applied and from how many reviews; and whether they
   * are re-fitted monthly.
   */
  fsrsWeights: text("fsrs_weights"),
  weightsAt: integer("weights_at"),
  weightsReviews: integer("weights_reviews"),
  memoryRefit: integer("memory_refit", { mode: "boolean" }).notNull().default(false),
});

/**
 * A deck. `source` = 'file' for decks/ files (visible in every server); imported decks carry the guild
 * they belong to and, for personal decks, their owner.
 */
export const decks = sqliteTable(
  "decks",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    source: text("source", { enum: ["file", "import"] }).notNull(),
    filePath: text("file_path"),
    guildId: text("guild_id"),
    ownerId: text("owner_id"),
    retiredAt: ms("retired_at"),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("decks_guild_idx").on(t.guildId)],
);

/** A card of a deck. `key` is the card's stable id inside its deck file; retired cards keep their history. */
export const cards = sqliteTable(
  "cards",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deckId: text("deck_id")
      .notNull()
      .references(() => decks.id),
    key: text("key").notNull(),
    position: integer("position").notNull(),
    front: text("front").notNull(),
    back: text("back").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    retiredAt: ms("retired_at"),
    /** The image shown with the question, and with the answer: a name in the deck's deck_media (null: none). */
    frontImage: text("front_image"),
    backImage: text("back_image"),
    /**
     * Cards of one deck with the same note key are siblings (an Anki note's cards, a card and its reverse): rating
     * one buries the others until the member's next study day, so both directions are never shown the same day.
     */
    noteKey: text("note_key"),
  },
  (t) => [
    uniqueIndex("cards_deck_key_uq").on(t.deckId, t.key),
    index("cards_deck_active_pos_idx").on(t.deckId, t.retiredAt, t.position),
    index("cards_deck_note_idx").on(t.deckId, t.noteKey).where(sql`${t.noteKey} IS NOT NULL`),
  ],
);

/**
 * The images of a deck (imported from an Anki package), by the name its cards use. Checked on import to be the
 * image their name says (png, jpeg, gif, webp) and within the caps of decks/FORMAT.md; `sha256` names the bytes.
 */
export const deckMedia = sqliteTable(
  "deck_media",
  {
    deckId: text("deck_id")
      .notNull()
      .references(() => decks.id),
    name: text("name").notNull(),
    mime: text("mime").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    bytes: blob("bytes", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.deckId, t.name] })],
);

/** Which decks a member studies. */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    userId: text("user_id").notNull(),
    deckId: text("deck_id")
      .notNull()
      .references(() => decks.id),
    /** `/settings newcards deck:`: this deck's own new cards per day, instead of the member's global limit. */
    newPerDay: integer("new_per_day"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deckId] })],
);

/**
 * The full ts-fsrs card state per (user, card), enough to rebuild the ts-fsrs Card exactly.
 * No row = a new card for that user. `reps` doubles as the optimistic-concurrency version.
 */
export const cardStates = sqliteTable(
  "card_states",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    due: ms("due").notNull(),
    stability: real("stability").notNull(),
    difficulty: real("difficulty").notNull(),
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
    // "next due card for this user" and due counts are range scans on this index.
    index("card_states_user_due_idx").on(t.userId, t.due),
    index("card_states_user_deck_due_idx").on(t.userId, t.deckId, t.due),
    // The cards the daily review limit never holds back (learning, relearning): a few per member, so once the
    // limit is used up their due count and the next of them are a walk of this small partial index (study-queue).
    index("card_states_user_learning_due_idx").on(t.userId, t.due).where(sql`${t.state} <> 2`),
  ],
);

/** Every rating ever made, append-only. Fields mirror ts-fsrs's ReviewLog (state/due/... as before the review). */
export const reviewLogs = sqliteTable(
  "review_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    guildId: text("guild_id"),
    rating: integer("rating").notNull(),
    state: integer("state").notNull(),
    due: ms("due").notNull(),
    stability: real("stability").notNull(),
    difficulty: real("difficulty").notNull(),
    elapsedDays: integer("elapsed_days").notNull(),
    lastElapsedDays: integer("last_elapsed_days").notNull(),
    scheduledDays: integer("scheduled_days").notNull(),
    learningSteps: integer("learning_steps").notNull(),
    review: ms("review").notNull(),
    durationMs: integer("duration_ms").notNull(),
    /**
     * core/points.ts ReviewSource: "study" session, "daily" session (Start my review), "quiz" answer, "party" answer,
     * "import" (a review made in Anki, brought by an import: db/imported-progress.ts); or "practice", a Re-do
     * round's answer (db/practice.ts), which is no review: it moved no state and counts nowhere.
     */
    source: text("source", { enum: ["study", "daily", "quiz", "practice", "party", "import"] }).notNull(),
  },
  (t) => [
    index("review_logs_user_review_idx").on(t.userId, t.review),
    index("review_logs_guild_review_idx").on(t.guildId, t.review),
  ],
);

/**
 * A member's card held out of their study: `suspend` (until they unsuspend it: `until` null) or `bury` (until
 * `until`, the start of their next study day). The card's schedule in card_states is untouched, so it comes back
 * with it. At most one hold per member and card; every queue and due count leaves held cards out
 * (study-queue.ts, quiz-due.ts, decks.ts, stat-user.ts: the `held` rule of card-holds.ts).
 */
export const cardHolds = sqliteTable(
  "card_holds",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    kind: text("kind", { enum: ["suspend", "bury"] }).notNull(),
    /** When a bury ends (ms); null for a suspension. */
    until: integer("until"),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.cardId] })],
);

/**
 * A member's leeches: cards they have forgotten `lapses` times (their leech threshold), tagged when the rating
 * that made them one was recorded (and told then, once); with the `suspend` action a hold came with it.
 */
export const cardLeeches = sqliteTable(
  "card_leeches",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    lapses: integer("lapses").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.cardId] })],
);

/**
 * What undoing one session review needs that review_logs does not hold: the member's state of the card before it
 * (null: the card was new), and what the review added to the aggregates (its points with any streak bonus, the
 * days and slot it was counted on, the streak before it when it opened a study day, whether it made the member a
 * member of the server). Keyed by the card state's version after the review (`reps`), which is what the Undo
 * button carries. Written in the review's own batch; kept one day (services/undo.ts), deleted by the undo.
 */
export const reviewUndos = sqliteTable(
  "review_undos",
  {
    userId: text("user_id").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    reps: integer("reps").notNull(),
    /** When the review was recorded (ms). */
    at: integer("at").notNull(),
    data: text("data").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.cardId, t.reps] }),
    index("review_undos_user_at_idx").on(t.userId, t.at),
  ],
);

/**
 * A member's latest memory-model fit (services/memory): when one was last started (`attempted_at`, also the claim
 * that keeps a monthly re-fit to one process and one run a month), and its outcome: the reviews used, the fit of
 * the weights before and of the fitted ones on the member's own history (log loss, RMSE over bins), whether the
 * fitted weights were applied (only when they fit better), and the calibration of both (JSON, /stats).
 */
export const memoryFits = sqliteTable("memory_fits", {
  userId: text("user_id").primaryKey(),
  attemptedAt: integer("attempted_at").notNull(),
  fittedAt: integer("fitted_at"),
  trigger: text("trigger", { enum: ["command", "monthly"] }).notNull(),
  reviews: integer("reviews"),
  logLossBefore: real("log_loss_before"),
  logLossAfter: real("log_loss_after"),
  rmseBefore: real("rmse_before"),
  rmseAfter: real("rmse_after"),
  applied: integer("applied", { mode: "boolean" }),
  calibration: text("calibration"),
});

// --- leaderboard & stats ---
// Per-day aggregates, maintained in the same transaction as each review (services/stats-record.ts), so boards
// and /stats never read review_logs. `day` = local study date as days since 1970-01-01 (04:00 rollover), fixed
// at write time in the zone in force then: later timezone changes never move history.

/**
 * Per server, member and server-local study day: what the leaderboard's today/week/month windows count.
 *
 * `cum_*` are running totals: the member's reviews / Again / points in this server on this day and every earlier
 * one, so a window's sums are the member's all-time totals minus the running totals of their last day before the
 * window (one index seek per member instead of summing up to 30 days). Triggers (in migration
 * drizzle/0005_stat_guild_days_cumulative_backfill.sql) keep them right for any writer and any day order: an
 * insert starts from the previous day's running totals and adds itself to later days', an update of
 * reviews/again/points moves this and later days', a delete takes itself out of later days'. (INSERT OR REPLACE
 * would skip the delete trigger: use an upsert.)
 */
export const statGuildDays = sqliteTable(
  "stat_guild_days",
  {
    guildId: text("guild_id").notNull(),
    day: integer("day").notNull(),
    userId: text("user_id").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    points: integer("points").notNull().default(0),
    ms: integer("ms").notNull().default(0),
    cumReviews: integer("cum_reviews").notNull().default(0),
    cumAgain: integer("cum_again").notNull().default(0),
    cumPoints: integer("cum_points").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.day, t.userId] }),
    // A member's running totals as of a day: one seek, covering (services/leaderboard.ts).
    index("stat_guild_days_cum_idx").on(t.guildId, t.userId, t.day, t.cumReviews, t.cumAgain, t.cumPoints),
  ],
);

/** Per server and member, all-time totals: the "all" board, and who has studied in this server. */
export const statGuildMembers = sqliteTable(
  "stat_guild_members",
  {
    guildId: text("guild_id").notNull(),
    userId: text("user_id").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    points: integer("points").notNull().default(0),
    ms: integer("ms").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.userId] })],
);

/** Per member and member-local study day (all servers and DMs), fixed in the zone in force then: the streak's day set. */
export const statUserDays = sqliteTable(
  "stat_user_days",
  {
    userId: text("user_id").notNull(),
    day: integer("day").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    /** Reviews of cards in the Review state, and how many of those were rated Again (true retention). */
    matureReviews: integer("review_state_reviews").notNull().default(0),
    matureAgain: integer("review_state_again").notNull().default(0),
    points: integer("points").notNull().default(0),
    ms: integer("ms").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/**
 * Per member and 15-minute slot of UTC time (`slot` = epoch ms / 900,000, rounded down), all servers and DMs:
 * /stats' periods and heatmap. A period is a range of instants in the member's zone NOW (04:00 to 04:00), and
 * every zone's 04:00 falls on a quarter hour, so a period is a whole range of slots whatever zone each review was
 * written in: moving to another timezone never empties or shifts the counts (stat_user_days fixes each day in
 * the zone in force when it was written, which is what streaks need).
 */
export const statUserSlots = sqliteTable(
  "stat_user_slots",
  {
    userId: text("user_id").notNull(),
    slot: integer("slot").notNull(),
    reviews: integer("reviews").notNull().default(0),
    again: integer("again").notNull().default(0),
    /** As in stat_user_days: reviews of Review-state cards and their Again (true retention). */
    matureReviews: integer("review_state_reviews").notNull().default(0),
    matureAgain: integer("review_state_again").notNull().default(0),
    ms: integer("ms").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.slot] })],
);

/** Per member: the current run of study days, kept as days are first studied (core/streaks.ts). */
export const statStreaks = sqliteTable("stat_streaks", {
  userId: text("user_id").primaryKey(),
  lastDay: integer("last_day").notNull(),
  lastZone: text("last_zone").notNull(),
  runDays: integer("run_days").notNull(),
  longest: integer("longest").notNull(),
});

// --- daily quiz ---

/**
 * A server's daily quiz: where and when (local HH:MM in an IANA zone), and the next run: the local date it posts
 * for and the UTC instant it is due (moved later by retry backoff after a failed send).
 */
export const quizConfigs = sqliteTable(
  "quiz_configs",
  {
    guildId: text("guild_id").primaryKey(),
    channelId: text("channel_id").notNull(),
    time: text("time").notNull(),
    timezone: text("timezone").notNull(),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    nextDate: text("next_date").notNull(),
    nextRunAt: integer("next_run_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
    /** `/quiz setup language:` for the public posts (src/i18n `Locale`); null: the server's Discord language. */
    language: text("language"),
  },
  (t) => [index("quiz_configs_due_idx").on(t.paused, t.nextRunAt)],
);

/**
 * One row per server and local date: the atomic claim (UNIQUE guild + date) that makes at most one post a day,
 * the send's outcome, and the question as posted (card, choices in display order) so retries and edits show
 * the same thing. `posted` is final; `failed` and stale `claimed` rows are retried the same day; `skipped` marks
 * a day whose quiz time passed while the bot was down.
 */
export const quizPosts = sqliteTable(
  "quiz_posts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    guildId: text("guild_id").notNull(),
    localDate: text("local_date").notNull(),
    channelId: text("channel_id").notNull(),
    status: text("status", { enum: ["claimed", "posted", "failed", "skipped"] }).notNull(),
    /** Random per claim: only the claimant records failure for it. */
    claimToken: text("claim_token"),
    claimedAt: integer("claimed_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    reason: text("reason"),
    errorCode: integer("error_code"),
    messageId: text("message_id"),
    postedAt: integer("posted_at"),
    /** Set when the next day's post went out (answers closed, answer shown). */
    closedAt: integer("closed_at"),
    /** Due summary at send time: members with cards due, cards due, members pinged. */
    dueMembers: integer("due_members").notNull().default(0),
    dueCards: integer("due_cards").notNull().default(0),
    pinged: text("pinged", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    pingedMore: integer("pinged_more").notNull().default(0),
    /** The question of the day (null when no deck here can make one). */
    cardId: integer("card_id").references(() => cards.id),
    deckId: text("deck_id"),
    deckName: text("deck_name"),
    front: text("front"),
    choices: text("choices", { mode: "json" }).$type<{ cardId: number; text: string }[]>(),
    correctIndex: integer("correct_index"),
    /** The language the post is written in, fixed at its claim from the quiz settings (null: the server's). */
    locale: text("locale"),
  },
  (t) => [
    uniqueIndex("quiz_posts_guild_date_uq").on(t.guildId, t.localDate),
    index("quiz_posts_guild_open_idx").on(t.guildId, t.status, t.closedAt),
  ],
);

/** One answer per member and post (the UNIQUE key makes a second click a no-op). */
export const quizAnswers = sqliteTable(
  "quiz_answers",
  {
    postId: integer("post_id")
      .notNull()
      .references(() => quizPosts.id),
    userId: text("user_id").notNull(),
    choice: integer("choice").notNull(),
    correct: integer("correct", { mode: "boolean" }).notNull(),
    /** Whether the answer was recorded as a review (the member studies that deck). */
    reviewed: integer("reviewed", { mode: "boolean" }).notNull(),
    answeredAt: ms("answered_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.userId] }), index("quiz_answers_user_idx").on(t.userId)],
);

// --- review parties (issue 16) ---

/**
 * A review party: a live quiz in a thread, every answer a review. `lobby` until its host (or anyone, after the
 * countdown) starts it, `running` while rounds are played, `done` once ended (by its last round, `/party stop`, or
 * a fault: `endedReason`). At most one party that is not done per channel (the thread's parent).
 */
export const parties = sqliteTable(
  "parties",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    guildId: text("guild_id").notNull(),
    /** Where `/party start` ran, and the thread the party plays in. */
    channelId: text("channel_id").notNull(),
    threadId: text("thread_id"),
    lobbyMessageId: text("lobby_message_id"),
    hostId: text("host_id").notNull(),
    deckId: text("deck_id").notNull(),
    mode: text("mode", { enum: ["race", "everyone"] }).notNull(),
    cards: integer("cards").notNull(),
    seconds: integer("seconds").notNull(),
    status: text("status", { enum: ["lobby", "running", "done"] }).notNull(),
    /** The round being played, or the last one closed (0 in the lobby). */
    round: integer("round").notNull().default(0),
    /**
     * When the party next needs the timer: the lobby's expiry, the open round's close, the next round's start
     * after a reveal; null once done. The minute job and the in-process timer wake what is due (services/party).
     */
    wakeAt: integer("wake_at"),
    /** Rounds in a row that closed with no answer at all: the party ends itself at PARTY_LIMITS.quietRounds. */
    quietRounds: integer("quiet_rounds").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    /** Anyone may start the party from then on (the lobby's countdown). */
    startableAt: integer("startable_at").notNull(),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
    endedReason: text("ended_reason"),
  },
  (t) => [
    uniqueIndex("parties_open_channel_uq").on(t.channelId).where(sql`${t.status} <> 'done'`),
    // The parties whose time has come, by when: what the timer and the minute job look for.
    index("parties_wake_idx").on(t.wakeAt).where(sql`${t.status} <> 'done'`),
  ],
);

/** Who joined a party, with their running score (points, correct answers, when they reached their points). */
export const partyPlayers = sqliteTable(
  "party_players",
  {
    partyId: integer("party_id")
      .notNull()
      .references(() => parties.id),
    userId: text("user_id").notNull(),
    joinedAt: integer("joined_at").notNull(),
    points: integer("points").notNull().default(0),
    correct: integer("correct").notNull().default(0),
    reachedAt: integer("reached_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.userId] })],
);

/** One round: its card and choices as shown, its message, when it closes, and when it was closed. */
export const partyRounds = sqliteTable(
  "party_rounds",
  {
    partyId: integer("party_id")
      .notNull()
      .references(() => parties.id),
    round: integer("round").notNull(),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    choices: text("choices", { mode: "json" }).notNull().$type<{ cardId: number; text: string }[]>(),
    correctIndex: integer("correct_index").notNull(),
    messageId: text("message_id"),
    opensAt: integer("opens_at").notNull(),
    closesAt: integer("closes_at").notNull(),
    closedAt: integer("closed_at"),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.round] })],
);

/** One answer per player and round (the key makes a second click a no-op), with what it earned. */
export const partyAnswers = sqliteTable(
  "party_answers",
  {
    partyId: integer("party_id").notNull(),
    round: integer("round").notNull(),
    userId: text("user_id").notNull(),
    /**
     * The answer's place in the round, in the order answers were recorded (1, 2, …; the round's row lock makes them
     * one at a time): what a race ranks by, since two clicks can carry the same millisecond.
     */
    seq: integer("seq").notNull(),
    /** null: no answer before the round closed (a review as Again for a member who studies the deck). */
    choice: integer("choice"),
    correct: integer("correct", { mode: "boolean" }).notNull(),
    answeredAt: integer("answered_at").notNull(),
    points: integer("points").notNull().default(0),
    reviewed: integer("reviewed", { mode: "boolean" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.round, t.userId] })],
);

// --- card reports (issue 17) ---

/**
 * What a member says is wrong with a card (the answer view's Report), until one of the deck's owners fixes it (an
 * Edit) or dismisses it (`/deck reports`). One open report per member and card: a second one replaces its text.
 */
export const cardReports = sqliteTable(
  "card_reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    cardId: integer("card_id")
      .notNull()
      .references(() => cards.id),
    deckId: text("deck_id").notNull(),
    reporterId: text("reporter_id").notNull(),
    /** Where it was reported (null: in a DM). */
    guildId: text("guild_id"),
    text: text("text").notNull(),
    createdAt: integer("created_at").notNull(),
    status: text("status", { enum: ["open", "fixed", "dismissed"] }).notNull(),
    resolvedBy: text("resolved_by"),
    resolvedAt: integer("resolved_at"),
  },
  (t) => [
    uniqueIndex("card_reports_open_uq").on(t.cardId, t.reporterId).where(sql`${t.status} = 'open'`),
    // A deck's open reports, oldest first: `/deck reports`.
    index("card_reports_deck_open_idx").on(t.deckId, t.createdAt).where(sql`${t.status} = 'open'`),
  ],
);
