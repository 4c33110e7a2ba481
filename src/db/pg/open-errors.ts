/**
 * Why a PostgreSQL named by DATABASE_URL cannot be used, in one line a person can act on (as sqlite/open-errors.ts
 * for a file): the server does not answer (refused, unknown host, unreachable, timed out) or answers and refuses
 * (the login, the database, the bot's tables, too many connections, not ready). Start-up prints
 * `lineFor("DATABASE_URL")` instead of a stack trace; the URL is shown with its password hidden.
 */
import { DatabaseOpenError } from "../sqlite/open-errors.ts";
import { hidePassword } from "./open.ts";

const CHECK_URL = "check DATABASE_URL's host and port and that PostgreSQL runs there";

/** The DatabaseOpenError for an error met while connecting to or migrating `url`, or null if it is not one. */
export function explainPgError(url: string, err: unknown): DatabaseOpenError | null {
  const shown = hidePassword(url);
  const at = (problem: string, remedy: string) => new DatabaseOpenError(shown, problem, remedy);
  const code = codeOf(err);
  const why = `(${messageOf(err)})`;
  switch (code) {
    case "ECONNREFUSED":
      return at(`does not answer: nothing accepts connections there ${why}`, CHECK_URL);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return at(`does not answer: its host name is not found ${why}`, "check DATABASE_URL's host name");
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ECONNRESET":
      return at(`does not answer ${why}`, `${CHECK_URL}, reachable from this machine`);
    case "28P01":
      return at(`refuses the login ${why}`, "check the user name and password in DATABASE_URL");
    case "28000":
      return at(
        `refuses the connection ${why}`,
        "check the user in DATABASE_URL, and that the server's pg_hba.conf lets it connect from here",
      );
    case "3D000":
      return at(
        `has no such database ${why}`,
        "create it first (createdb, or CREATE DATABASE), or fix the database name in DATABASE_URL",
      );
    case "42501":
      return at(
        `refuses to create or change the bot's tables ${why}`,
        "give DATABASE_URL's user the right to create tables in the database (e.g. make it the database's owner)",
      );
    case "53300":
      return at(`has no connection left ${why}`, "raise max_connections or stop some of its clients");
    case "57P03":
      return at(`is not accepting connections yet ${why}`, "wait until it has started, then start again");
  }
  // node-postgres's own connect timeout (pg/open.ts sets one), and a server that closed at once (TLS refusals).
  const message = messageOf(err);
  if (/timeout/i.test(message) && /connect/i.test(message))
    return at(`does not answer ${why}`, `${CHECK_URL}, reachable from this machine`);
  if (/SSL|TLS/.test(message))
    return at(
      `refuses the connection's encryption ${why}`,
      "set sslmode in DATABASE_URL as the server requires",
    );
  return null;
}

/** A SQLSTATE (server errors) or a socket's errno code; Node's dual-stack connect wraps those in an AggregateError. */
function codeOf(err: unknown): string {
  const own = err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : "";
  if (own !== "" || !(err instanceof AggregateError)) return own;
  return codeOf(err.errors[0]);
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.message === "") return err.errors.map(messageOf).join("; ");
  return err instanceof Error ? err.message : String(err);
}
