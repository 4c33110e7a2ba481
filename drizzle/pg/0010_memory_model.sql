CREATE TABLE "memory_fits" (
	"user_id" text PRIMARY KEY NOT NULL,
	"attempted_at" bigint NOT NULL,
	"fitted_at" bigint,
	"trigger" text NOT NULL,
	"reviews" integer,
	"log_loss_before" double precision,
	"log_loss_after" double precision,
	"rmse_before" double precision,
	"rmse_after" double precision,
	"applied" smallint,
	"calibration" text
);
--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "fsrs_weights" text;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "weights_at" bigint;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "weights_reviews" integer;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "memory_refit" smallint DEFAULT 0 NOT NULL;