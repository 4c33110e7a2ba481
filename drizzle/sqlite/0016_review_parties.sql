CREATE TABLE `parties` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`thread_id` text,
	`lobby_message_id` text,
	`host_id` text NOT NULL,
	`deck_id` text NOT NULL,
	`mode` text NOT NULL,
	`cards` integer NOT NULL,
	`seconds` integer NOT NULL,
	`status` text NOT NULL,
	`round` integer DEFAULT 0 NOT NULL,
	`wake_at` integer,
	`quiet_rounds` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`startable_at` integer NOT NULL,
	`started_at` integer,
	`ended_at` integer,
	`ended_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `parties_open_channel_uq` ON `parties` (`channel_id`) WHERE "parties"."status" <> 'done';--> statement-breakpoint
CREATE INDEX `parties_wake_idx` ON `parties` (`wake_at`) WHERE "parties"."status" <> 'done';--> statement-breakpoint
CREATE TABLE `party_answers` (
	`party_id` integer NOT NULL,
	`round` integer NOT NULL,
	`user_id` text NOT NULL,
	`seq` integer NOT NULL,
	`choice` integer,
	`correct` integer NOT NULL,
	`answered_at` integer NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`reviewed` integer NOT NULL,
	PRIMARY KEY(`party_id`, `round`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `party_players` (
	`party_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`joined_at` integer NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`correct` integer DEFAULT 0 NOT NULL,
	`reached_at` integer NOT NULL,
	PRIMARY KEY(`party_id`, `user_id`),
	FOREIGN KEY (`party_id`) REFERENCES `parties`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `party_rounds` (
	`party_id` integer NOT NULL,
	`round` integer NOT NULL,
	`card_id` integer NOT NULL,
	`choices` text NOT NULL,
	`correct_index` integer NOT NULL,
	`message_id` text,
	`opens_at` integer NOT NULL,
	`closes_at` integer NOT NULL,
	`closed_at` integer,
	PRIMARY KEY(`party_id`, `round`),
	FOREIGN KEY (`party_id`) REFERENCES `parties`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`card_id`) REFERENCES `cards`(`id`) ON UPDATE no action ON DELETE no action
);
