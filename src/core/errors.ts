/** A problem the user can fix or should know about: shown to them politely, never logged as a bug. */
export class UserError extends Error {
  override name = "UserError";
}
