CREATE TABLE "deck_media" (
	"deck_id" text NOT NULL,
	"name" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "deck_media_deck_id_name_pk" PRIMARY KEY("deck_id","name")
);
--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "front_image" text;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "back_image" text;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "note_key" text;--> statement-breakpoint
ALTER TABLE "deck_media" ADD CONSTRAINT "deck_media_deck_id_decks_id_fk" FOREIGN KEY ("deck_id") REFERENCES "public"."decks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cards_deck_note_idx" ON "cards" USING btree ("deck_id","note_key") WHERE "cards"."note_key" IS NOT NULL;