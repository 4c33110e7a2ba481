-- Until now a review was logged with source 'daily' both for a session started from the daily post's
-- "Start my review" and for an answer to the question of the day, and every 'daily' review not rated Again earned
-- the quiz's +2 (src/core/points.ts). An answer is the log its quiz_answers row recorded (same member, server and
-- card, shown at the answer's instant): it becomes source 'quiz'. The answer read the clock before its review
-- did, so the log's own instant can be a few ms later; its shown-at (review - duration_ms) is answered_at exactly.
-- The other 'daily' logs are session reviews and stay 'daily'.
UPDATE `review_logs` SET `source` = 'quiz'
WHERE `source` = 'daily' AND EXISTS (
  SELECT 1 FROM `quiz_answers` a JOIN `quiz_posts` p ON p.id = a.post_id
  WHERE a.user_id = review_logs.user_id AND a.reviewed = 1
    AND a.answered_at = review_logs.review - review_logs.duration_ms
    AND p.card_id = review_logs.card_id AND p.guild_id = review_logs.guild_id
);
--> statement-breakpoint
-- Each of those session reviews not rated Again earned 2 points too many, in the aggregates it was counted in.
-- Its day is not in the log (it was fixed in the zone in force then), but the aggregates say it: a member's k-th
-- review there, in write order, sits on their first day whose running total of reviews reaches k. (Exact unless
-- the zone moved west between two of their reviews; then a correction can land on the neighbouring day.)
CREATE TEMP TABLE `fix_guild_days` AS
WITH ranked AS (
  SELECT guild_id, user_id, source, rating, row_number() OVER (PARTITION BY guild_id, user_id ORDER BY review, id) AS k
  FROM review_logs
  WHERE guild_id IS NOT NULL AND user_id IN (SELECT user_id FROM review_logs WHERE source = 'daily')
)
SELECT guild_id, user_id, day, 2 * count(*) AS points FROM (
  SELECT r.guild_id, r.user_id, (
    SELECT min(d.day) FROM stat_guild_days d
    WHERE d.guild_id = r.guild_id AND d.user_id = r.user_id AND d.cum_reviews >= r.k
  ) AS day
  FROM ranked r WHERE r.source = 'daily' AND r.rating <> 1
) GROUP BY guild_id, user_id, day;
--> statement-breakpoint
-- (The update trigger of 0005 moves the running totals cum_points of this and later days with it.)
UPDATE `stat_guild_days` SET `points` = stat_guild_days.points - f.points
FROM `fix_guild_days` f
WHERE stat_guild_days.guild_id = f.guild_id AND stat_guild_days.user_id = f.user_id AND stat_guild_days.day = f.day;
--> statement-breakpoint
UPDATE `stat_guild_members` SET `points` = stat_guild_members.points - f.points
FROM (
  SELECT guild_id, user_id, 2 * count(*) AS points FROM review_logs
  WHERE source = 'daily' AND rating <> 1 AND guild_id IS NOT NULL GROUP BY guild_id, user_id
) AS f
WHERE stat_guild_members.guild_id = f.guild_id AND stat_guild_members.user_id = f.user_id;
--> statement-breakpoint
CREATE TEMP TABLE `user_day_totals` AS
SELECT user_id, day, sum(reviews) OVER (PARTITION BY user_id ORDER BY day) AS cum FROM stat_user_days
WHERE user_id IN (SELECT user_id FROM review_logs WHERE source = 'daily');
--> statement-breakpoint
CREATE INDEX temp.`user_day_totals_idx` ON `user_day_totals` (user_id, cum, day);
--> statement-breakpoint
CREATE TEMP TABLE `fix_user_days` AS
WITH ranked AS (
  SELECT user_id, source, rating, row_number() OVER (PARTITION BY user_id ORDER BY review, id) AS k
  FROM review_logs WHERE user_id IN (SELECT user_id FROM review_logs WHERE source = 'daily')
)
SELECT user_id, day, 2 * count(*) AS points FROM (
  SELECT r.user_id, (
    SELECT min(t.day) FROM user_day_totals t WHERE t.user_id = r.user_id AND t.cum >= r.k
  ) AS day
  FROM ranked r WHERE r.source = 'daily' AND r.rating <> 1
) GROUP BY user_id, day;
--> statement-breakpoint
UPDATE `stat_user_days` SET `points` = stat_user_days.points - f.points
FROM `fix_user_days` f
WHERE stat_user_days.user_id = f.user_id AND stat_user_days.day = f.day;
--> statement-breakpoint
DROP TABLE temp.`fix_guild_days`;
--> statement-breakpoint
DROP TABLE temp.`fix_user_days`;
--> statement-breakpoint
DROP TABLE temp.`user_day_totals`;
--> statement-breakpoint
-- /stats' quarter-hour slots (src/db/schema.ts statUserSlots) for the history so far: UTC slots need no zone, so
-- they come straight from the log.
INSERT INTO `stat_user_slots` (user_id, slot, reviews, again, review_state_reviews, review_state_again, ms)
SELECT user_id, review / 900000, count(*), sum(rating = 1), sum(state = 2), sum(state = 2 AND rating = 1),
  sum(duration_ms)
FROM review_logs GROUP BY user_id, review / 900000;
