CREATE TABLE `card_holds` (
	`user_id` text NOT NULL,
	`card_id` integer NOT NULL,
	`deck_id` text NOT NULL,
	`kind` text NOT NULL,
	`until` integer,
	`at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `card_id`),
	FOREIGN KEY (`card_id`) REFERENCES `cards`(`id`) ON UPDATE no action ON DELETE no action
);
