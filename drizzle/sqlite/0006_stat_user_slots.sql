CREATE TABLE `stat_user_slots` (
	`user_id` text NOT NULL,
	`slot` integer NOT NULL,
	`reviews` integer DEFAULT 0 NOT NULL,
	`again` integer DEFAULT 0 NOT NULL,
	`review_state_reviews` integer DEFAULT 0 NOT NULL,
	`review_state_again` integer DEFAULT 0 NOT NULL,
	`ms` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `slot`)
);
