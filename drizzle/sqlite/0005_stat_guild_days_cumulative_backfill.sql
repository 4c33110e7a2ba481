-- Running totals per (server, member) in day order (see src/db/schema.ts statGuildDays), for rows written
-- before the cum_* columns existed.
UPDATE `stat_guild_days` SET `cum_reviews` = c.r, `cum_again` = c.a, `cum_points` = c.p
FROM (
  SELECT rowid AS id, sum(reviews) OVER w AS r, sum(again) OVER w AS a, sum(points) OVER w AS p
  FROM `stat_guild_days` WINDOW w AS (PARTITION BY guild_id, user_id ORDER BY day)
) AS c
WHERE `stat_guild_days`.rowid = c.id;
--> statement-breakpoint
-- From here on every writer keeps them: a new day starts from the member's last earlier day and counts in every
-- later day (normally none: reviews land on the current day, but a server's timezone can move west)…
CREATE TRIGGER `stat_guild_days_cum_insert` AFTER INSERT ON `stat_guild_days` BEGIN
  UPDATE stat_guild_days SET (cum_reviews, cum_again, cum_points) = (
    SELECT NEW.reviews + coalesce(sum(r), 0), NEW.again + coalesce(sum(a), 0), NEW.points + coalesce(sum(p), 0)
    FROM (
      SELECT cum_reviews AS r, cum_again AS a, cum_points AS p FROM stat_guild_days
      WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND day < NEW.day ORDER BY day DESC LIMIT 1
    )
  ) WHERE rowid = NEW.rowid;
  UPDATE stat_guild_days SET cum_reviews = cum_reviews + NEW.reviews, cum_again = cum_again + NEW.again,
    cum_points = cum_points + NEW.points
  WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND day > NEW.day;
END;
--> statement-breakpoint
-- …a change to a day's counts (the upsert of each review) moves that day and every later one…
CREATE TRIGGER `stat_guild_days_cum_update` AFTER UPDATE OF reviews, again, points ON `stat_guild_days` BEGIN
  UPDATE stat_guild_days SET cum_reviews = cum_reviews + NEW.reviews - OLD.reviews,
    cum_again = cum_again + NEW.again - OLD.again, cum_points = cum_points + NEW.points - OLD.points
  WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND day >= NEW.day;
END;
--> statement-breakpoint
-- …and a deleted day leaves the later ones.
CREATE TRIGGER `stat_guild_days_cum_delete` AFTER DELETE ON `stat_guild_days` BEGIN
  UPDATE stat_guild_days SET cum_reviews = cum_reviews - OLD.reviews, cum_again = cum_again - OLD.again,
    cum_points = cum_points - OLD.points
  WHERE guild_id = OLD.guild_id AND user_id = OLD.user_id AND day > OLD.day;
END;
