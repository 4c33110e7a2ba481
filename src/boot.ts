/** What every entry point does first: read `.env`, validate the environment, or exit 1 with one line. */
import { type Config, ConfigError, loadConfig } from "./config.ts";

export function configOrExit(): Config {
  try {
    process.loadEnvFile?.(".env");
  } catch {
    // no .env file: the environment alone is used
  }
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
