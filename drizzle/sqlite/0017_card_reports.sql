CREATE TABLE `card_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`card_id` integer NOT NULL,
	`deck_id` text NOT NULL,
	`reporter_id` text NOT NULL,
	`guild_id` text,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	`status` text NOT NULL,
	`resolved_by` text,
	`resolved_at` integer,
	FOREIGN KEY (`card_id`) REFERENCES `cards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `card_reports_open_uq` ON `card_reports` (`card_id`,`reporter_id`) WHERE "card_reports"."status" = 'open';--> statement-breakpoint
CREATE INDEX `card_reports_deck_open_idx` ON `card_reports` (`deck_id`,`created_at`) WHERE "card_reports"."status" = 'open';