/**
 * Option parsing every command does the same way: a bad option prints its message and the command's help
 * (exit code 2), --help / -h prints the help (exit code 0).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };

export interface ParsedCommand<O extends Options> {
  values: ReturnType<typeof parseArgs<{ args: string[]; options: WithHelp<O> }>>['values'];
  positionals: string[];
}

/** The parsed options, or the exit code when the command is already finished (bad option or --help). */
export function parseCommand<O extends Options>(
  command: string,
  help: string,
  argv: string[],
  config: { options: O; allowPositionals?: boolean },
): ParsedCommand<O> | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: config.allowPositionals ?? false,
      options: { ...config.options, help: { type: 'boolean', short: 'h' } } as WithHelp<O>,
    });
  } catch (err) {
    console.error(`attain ${command}: ${(err as Error).message}\n\n${help}`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    return 0;
  }
  return parsed as ParsedCommand<O>;
}
