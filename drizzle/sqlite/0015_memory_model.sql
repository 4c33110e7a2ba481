CREATE TABLE `memory_fits` (
	`user_id` text PRIMARY KEY NOT NULL,
	`attempted_at` integer NOT NULL,
	`fitted_at` integer,
	`trigger` text NOT NULL,
	`reviews` integer,
	`log_loss_before` real,
	`log_loss_after` real,
	`rmse_before` real,
	`rmse_after` real,
	`applied` integer,
	`calibration` text
);
--> statement-breakpoint
ALTER TABLE `user_settings` ADD `fsrs_weights` text;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `weights_at` integer;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `weights_reviews` integer;--> statement-breakpoint
ALTER TABLE `user_settings` ADD `memory_refit` integer DEFAULT false NOT NULL;