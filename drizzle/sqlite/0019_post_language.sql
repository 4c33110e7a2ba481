ALTER TABLE `quiz_configs` ADD `language` text;--> statement-breakpoint
ALTER TABLE `quiz_posts` ADD `locale` text;