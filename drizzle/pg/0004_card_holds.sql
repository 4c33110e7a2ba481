CREATE TABLE "card_holds" (
	"user_id" text NOT NULL,
	"card_id" integer NOT NULL,
	"deck_id" text NOT NULL,
	"kind" text NOT NULL,
	"until" bigint,
	"at" bigint NOT NULL,
	CONSTRAINT "card_holds_user_id_card_id_pk" PRIMARY KEY("user_id","card_id")
);
--> statement-breakpoint
ALTER TABLE "card_holds" ADD CONSTRAINT "card_holds_card_id_cards_id_fk" FOREIGN KEY ("card_id") REFERENCES "public"."cards"("id") ON DELETE no action ON UPDATE no action;