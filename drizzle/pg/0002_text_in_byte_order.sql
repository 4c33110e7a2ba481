-- Text compares and sorts byte by byte, as SQLite's BINARY collation does, whatever the database's locale:
-- ids, dates and names order the same on both engines (a quiz question drawn from decks in id order is the same
-- draw), and no locale rule (ignoring "-" or case in a first pass) decides an ORDER BY.
ALTER TABLE "guilds" ALTER COLUMN "id" TYPE text COLLATE "C", ALTER COLUMN "timezone" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "user_settings" ALTER COLUMN "user_id" TYPE text COLLATE "C", ALTER COLUMN "timezone" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "decks" ALTER COLUMN "id" TYPE text COLLATE "C", ALTER COLUMN "name" TYPE text COLLATE "C", ALTER COLUMN "description" TYPE text COLLATE "C", ALTER COLUMN "source" TYPE text COLLATE "C", ALTER COLUMN "file_path" TYPE text COLLATE "C", ALTER COLUMN "guild_id" TYPE text COLLATE "C", ALTER COLUMN "owner_id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "cards" ALTER COLUMN "deck_id" TYPE text COLLATE "C", ALTER COLUMN "key" TYPE text COLLATE "C", ALTER COLUMN "front" TYPE text COLLATE "C", ALTER COLUMN "back" TYPE text COLLATE "C", ALTER COLUMN "tags" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "subscriptions" ALTER COLUMN "user_id" TYPE text COLLATE "C", ALTER COLUMN "deck_id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "card_states" ALTER COLUMN "user_id" TYPE text COLLATE "C", ALTER COLUMN "deck_id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "review_logs" ALTER COLUMN "user_id" TYPE text COLLATE "C", ALTER COLUMN "deck_id" TYPE text COLLATE "C", ALTER COLUMN "guild_id" TYPE text COLLATE "C", ALTER COLUMN "source" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "stat_guild_days" ALTER COLUMN "guild_id" TYPE text COLLATE "C", ALTER COLUMN "user_id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "stat_guild_members" ALTER COLUMN "guild_id" TYPE text COLLATE "C", ALTER COLUMN "user_id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "stat_user_days" ALTER COLUMN "user_id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "stat_user_slots" ALTER COLUMN "user_id" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "stat_streaks" ALTER COLUMN "user_id" TYPE text COLLATE "C", ALTER COLUMN "last_zone" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "quiz_configs" ALTER COLUMN "guild_id" TYPE text COLLATE "C", ALTER COLUMN "channel_id" TYPE text COLLATE "C", ALTER COLUMN "time" TYPE text COLLATE "C", ALTER COLUMN "timezone" TYPE text COLLATE "C", ALTER COLUMN "next_date" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "quiz_posts" ALTER COLUMN "guild_id" TYPE text COLLATE "C", ALTER COLUMN "local_date" TYPE text COLLATE "C", ALTER COLUMN "channel_id" TYPE text COLLATE "C", ALTER COLUMN "status" TYPE text COLLATE "C", ALTER COLUMN "claim_token" TYPE text COLLATE "C", ALTER COLUMN "reason" TYPE text COLLATE "C", ALTER COLUMN "message_id" TYPE text COLLATE "C", ALTER COLUMN "pinged" TYPE text COLLATE "C", ALTER COLUMN "deck_id" TYPE text COLLATE "C", ALTER COLUMN "deck_name" TYPE text COLLATE "C", ALTER COLUMN "front" TYPE text COLLATE "C", ALTER COLUMN "choices" TYPE text COLLATE "C";
--> statement-breakpoint
ALTER TABLE "quiz_answers" ALTER COLUMN "user_id" TYPE text COLLATE "C";
