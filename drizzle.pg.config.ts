import { defineConfig } from "drizzle-kit";

/** PostgreSQL's migrations (`npm run db:generate`), from the PostgreSQL tables in src/db/schema-pg.ts. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema-pg.ts",
  out: "./drizzle/pg",
});
