ALTER TABLE `user_settings` ADD `retention` real DEFAULT 0.9 NOT NULL;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `max_interval` integer DEFAULT 36500 NOT NULL;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `learning_steps` text DEFAULT '1m 10m' NOT NULL;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `relearning_steps` text DEFAULT '10m' NOT NULL;