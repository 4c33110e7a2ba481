-- stat_guild_days' running totals (see src/db/schema.ts statGuildDays), kept right for any writer and any day
-- order as on SQLite (drizzle/sqlite/0005_stat_guild_days_cumulative_backfill.sql): a new day starts from the
-- member's last earlier day, a change to a day's counts moves that day (BEFORE) and every later one (AFTER), a
-- deleted day leaves the later ones. The AFTER updates touch only cum_* columns, so they fire no trigger again.
CREATE FUNCTION stat_guild_days_cum_start() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prev stat_guild_days%ROWTYPE;
BEGIN
  SELECT * INTO prev FROM stat_guild_days
  WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1;
  NEW.cum_reviews := NEW.reviews + coalesce(prev.cum_reviews, 0);
  NEW.cum_again := NEW.again + coalesce(prev.cum_again, 0);
  NEW.cum_points := NEW.points + coalesce(prev.cum_points, 0);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE FUNCTION stat_guild_days_cum_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.cum_reviews := OLD.cum_reviews + NEW.reviews - OLD.reviews;
  NEW.cum_again := OLD.cum_again + NEW.again - OLD.again;
  NEW.cum_points := OLD.cum_points + NEW.points - OLD.points;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE FUNCTION stat_guild_days_cum_later() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r integer; a integer; p integer; g text; u text; d integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    r := NEW.reviews; a := NEW.again; p := NEW.points; g := NEW.guild_id; u := NEW.user_id; d := NEW.day;
  ELSIF TG_OP = 'UPDATE' THEN
    r := NEW.reviews - OLD.reviews; a := NEW.again - OLD.again; p := NEW.points - OLD.points;
    g := NEW.guild_id; u := NEW.user_id; d := NEW.day;
  ELSE
    r := -OLD.reviews; a := -OLD.again; p := -OLD.points; g := OLD.guild_id; u := OLD.user_id; d := OLD.day;
  END IF;
  IF r <> 0 OR a <> 0 OR p <> 0 THEN
    UPDATE stat_guild_days SET cum_reviews = cum_reviews + r, cum_again = cum_again + a, cum_points = cum_points + p
    WHERE guild_id = g AND user_id = u AND day > d;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER stat_guild_days_cum_start BEFORE INSERT ON stat_guild_days
  FOR EACH ROW EXECUTE FUNCTION stat_guild_days_cum_start();
--> statement-breakpoint
CREATE TRIGGER stat_guild_days_cum_move BEFORE UPDATE OF reviews, again, points ON stat_guild_days
  FOR EACH ROW EXECUTE FUNCTION stat_guild_days_cum_move();
--> statement-breakpoint
CREATE TRIGGER stat_guild_days_cum_later AFTER INSERT OR UPDATE OF reviews, again, points OR DELETE ON stat_guild_days
  FOR EACH ROW EXECUTE FUNCTION stat_guild_days_cum_later();
