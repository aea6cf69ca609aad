/** A problem with the command line; the message is one line for the terminal. */
export class UsageError extends Error {
  override name = 'UsageError';
}
