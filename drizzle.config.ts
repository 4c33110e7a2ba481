import { defineConfig } from "drizzle-kit";

/** The embedded engine's migrations (`npm run db:generate`); drizzle.pg.config.ts writes PostgreSQL's. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./drizzle/sqlite",
});
