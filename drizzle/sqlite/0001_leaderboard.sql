CREATE TABLE `stat_guild_days` (
	`guild_id` text NOT NULL,
	`day` integer NOT NULL,
	`user_id` text NOT NULL,
	`reviews` integer DEFAULT 0 NOT NULL,
	`again` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`ms` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`guild_id`, `day`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `stat_guild_members` (
	`guild_id` text NOT NULL,
	`user_id` text NOT NULL,
	`reviews` integer DEFAULT 0 NOT NULL,
	`again` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`ms` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`guild_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `stat_streaks` (
	`user_id` text PRIMARY KEY NOT NULL,
	`last_day` integer NOT NULL,
	`last_zone` text NOT NULL,
	`run_days` integer NOT NULL,
	`longest` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stat_user_days` (
	`user_id` text NOT NULL,
	`day` integer NOT NULL,
	`reviews` integer DEFAULT 0 NOT NULL,
	`again` integer DEFAULT 0 NOT NULL,
	`review_state_reviews` integer DEFAULT 0 NOT NULL,
	`review_state_again` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`ms` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `day`)
);
