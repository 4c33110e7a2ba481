CREATE TABLE "card_leeches" (
	"user_id" text NOT NULL,
	"card_id" integer NOT NULL,
	"deck_id" text NOT NULL,
	"lapses" integer NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "card_leeches_user_id_card_id_pk" PRIMARY KEY("user_id","card_id")
);
--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "leech_threshold" integer DEFAULT 8 NOT NULL;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "leech_action" text DEFAULT 'tag' NOT NULL;--> statement-breakpoint
ALTER TABLE "card_leeches" ADD CONSTRAINT "card_leeches_card_id_cards_id_fk" FOREIGN KEY ("card_id") REFERENCES "public"."cards"("id") ON DELETE no action ON UPDATE no action;