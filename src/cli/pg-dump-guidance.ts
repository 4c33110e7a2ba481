/** What `npm run backup` / `restore` say when the database is PostgreSQL: pg_dump and pg_restore do it. */
export const PG_DUMP_GUIDANCE = [
  "DATABASE_URL is set: the database is PostgreSQL, which pg_dump backs up while the bot runs:",
  '  pg_dump --format=custom --file=study.dump "$DATABASE_URL"',
  'and pg_restore restores into an empty database (stop the bot first): pg_restore --dbname="$DATABASE_URL" study.dump',
  "(README, Backups).",
].join("\n");
