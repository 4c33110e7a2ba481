CREATE TABLE "review_undos" (
	"user_id" text NOT NULL,
	"card_id" integer NOT NULL,
	"reps" integer NOT NULL,
	"at" bigint NOT NULL,
	"data" text NOT NULL,
	CONSTRAINT "review_undos_user_id_card_id_reps_pk" PRIMARY KEY("user_id","card_id","reps")
);
--> statement-breakpoint
ALTER TABLE "review_undos" ADD CONSTRAINT "review_undos_card_id_cards_id_fk" FOREIGN KEY ("card_id") REFERENCES "public"."cards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "review_undos_user_at_idx" ON "review_undos" USING btree ("user_id","at");