ALTER TABLE "user_settings" ADD COLUMN "retention" double precision DEFAULT 0.9 NOT NULL;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "max_interval" integer DEFAULT 36500 NOT NULL;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "learning_steps" text DEFAULT '1m 10m' NOT NULL;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "relearning_steps" text DEFAULT '10m' NOT NULL;