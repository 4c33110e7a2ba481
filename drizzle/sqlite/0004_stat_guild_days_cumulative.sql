DROP INDEX `stat_guild_days_member_idx`;--> statement-breakpoint
ALTER TABLE `stat_guild_days` ADD `cum_reviews` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `stat_guild_days` ADD `cum_again` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `stat_guild_days` ADD `cum_points` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `stat_guild_days_cum_idx` ON `stat_guild_days` (`guild_id`,`user_id`,`day`,`cum_reviews`,`cum_again`,`cum_points`);