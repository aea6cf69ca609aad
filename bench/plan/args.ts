/**
 * Command-line flags for every command, read by commander: the same errors everywhere, and a
 * "did you mean" for a mistyped flag. Takes a `node:util` parseArgs-style spec and returns the
 * same shape, so a command declares its flags once, as it did before.
 */
import { Command, CommanderError, Option } from 'commander';

type Spec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
type Values<S extends Spec> = {
  [K in keyof S]?: S[K]['type'] extends 'string' ? (S[K]['multiple'] extends true ? string[] : string) : boolean;
};

/** A flag the command does not take, a missing value, a stray argument: `message` is one line. */
export class FlagError extends Error {
  override name = 'FlagError';
}

/** camelCase of a flag name, as commander keys its options. */
function keyOf(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Parse `argv` against `options`; throws FlagError with one line (and a suggestion) on a bad flag. */
export function parseFlags<S extends Spec>(
  argv: readonly string[],
  options: S,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): { values: Values<S>; positionals: string[] } {
  const command = new Command()
    .exitOverride()
    .helpOption(false)
    .showSuggestionAfterError()
    .allowExcessArguments(allowPositionals)
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  if (allowPositionals) command.argument('[args...]');
  for (const [name, spec] of Object.entries(options)) {
    const flags = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` <${spec.multiple ? 'values...' : 'value'}>` : ''}`;
    command.addOption(new Option(flags));
  }
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const text = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    throw new FlagError(text.replace(/^too many arguments.*/, `unexpected positional argument "${command.args[0]}"`));
  }
  const parsed = command.opts();
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(options)) {
    const value = parsed[keyOf(name)];
    if (value !== undefined) values[name] = value;
  }
  return { values: values as Values<S>, positionals: allowPositionals ? [...command.args] : [] };
}
