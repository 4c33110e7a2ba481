CREATE TABLE `card_leeches` (
	`user_id` text NOT NULL,
	`card_id` integer NOT NULL,
	`deck_id` text NOT NULL,
	`lapses` integer NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `card_id`),
	FOREIGN KEY (`card_id`) REFERENCES `cards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `user_settings` ADD `leech_threshold` integer DEFAULT 8 NOT NULL;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `leech_action` text DEFAULT 'tag' NOT NULL;