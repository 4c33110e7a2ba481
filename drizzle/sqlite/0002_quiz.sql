CREATE TABLE `quiz_answers` (
	`post_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`choice` integer NOT NULL,
	`correct` integer NOT NULL,
	`reviewed` integer NOT NULL,
	`answered_at` integer NOT NULL,
	PRIMARY KEY(`post_id`, `user_id`),
	FOREIGN KEY (`post_id`) REFERENCES `quiz_posts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `quiz_answers_user_idx` ON `quiz_answers` (`user_id`);--> statement-breakpoint
CREATE TABLE `quiz_configs` (
	`guild_id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`time` text NOT NULL,
	`timezone` text NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`next_date` text NOT NULL,
	`next_run_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `quiz_configs_due_idx` ON `quiz_configs` (`paused`,`next_run_at`);--> statement-breakpoint
CREATE TABLE `quiz_posts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`local_date` text NOT NULL,
	`channel_id` text NOT NULL,
	`status` text NOT NULL,
	`claim_token` text,
	`claimed_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`reason` text,
	`error_code` integer,
	`message_id` text,
	`posted_at` integer,
	`closed_at` integer,
	`due_members` integer DEFAULT 0 NOT NULL,
	`due_cards` integer DEFAULT 0 NOT NULL,
	`pinged` text DEFAULT '[]' NOT NULL,
	`pinged_more` integer DEFAULT 0 NOT NULL,
	`card_id` integer,
	`deck_id` text,
	`deck_name` text,
	`front` text,
	`choices` text,
	`correct_index` integer,
	FOREIGN KEY (`card_id`) REFERENCES `cards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_posts_guild_date_uq` ON `quiz_posts` (`guild_id`,`local_date`);--> statement-breakpoint
CREATE INDEX `quiz_posts_guild_open_idx` ON `quiz_posts` (`guild_id`,`status`,`closed_at`);