ALTER TABLE "quiz_configs" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "quiz_posts" ADD COLUMN "locale" text;