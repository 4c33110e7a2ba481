CREATE TABLE `review_undos` (
	`user_id` text NOT NULL,
	`card_id` integer NOT NULL,
	`reps` integer NOT NULL,
	`at` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`user_id`, `card_id`, `reps`),
	FOREIGN KEY (`card_id`) REFERENCES `cards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `review_undos_user_at_idx` ON `review_undos` (`user_id`,`at`);