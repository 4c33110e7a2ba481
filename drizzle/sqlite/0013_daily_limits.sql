ALTER TABLE `subscriptions` ADD `new_per_day` integer;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `review_limit` integer DEFAULT 200 NOT NULL;