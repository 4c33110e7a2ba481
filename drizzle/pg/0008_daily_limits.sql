ALTER TABLE "subscriptions" ADD COLUMN "new_per_day" integer;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "review_limit" integer DEFAULT 200 NOT NULL;