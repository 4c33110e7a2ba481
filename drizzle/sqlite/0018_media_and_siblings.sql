CREATE TABLE `deck_media` (
	`deck_id` text NOT NULL,
	`name` text NOT NULL,
	`mime` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`bytes` blob NOT NULL,
	PRIMARY KEY(`deck_id`, `name`),
	FOREIGN KEY (`deck_id`) REFERENCES `decks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `cards` ADD `front_image` text;--> statement-breakpoint
ALTER TABLE `cards` ADD `back_image` text;--> statement-breakpoint
ALTER TABLE `cards` ADD `note_key` text;--> statement-breakpoint
CREATE INDEX `cards_deck_note_idx` ON `cards` (`deck_id`,`note_key`) WHERE "cards"."note_key" IS NOT NULL;