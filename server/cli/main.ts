/**
 * `attain <command> [options]`. Each command is one module in ./commands exporting
 * `{ summary: string; run(argv: string[]): Promise<number> }`, so features add commands without touching this file.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliCommand {
  summary: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function available(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<CliCommand> {
  return (await import(join(commandsDir, `${name}.ts`))).default as CliCommand;
}

async function usage(): Promise<string> {
  const lines = ['Usage: attain <command> [options]', '', 'Commands:'];
  for (const name of available()) lines.push(`  ${name.padEnd(12)} ${(await load(name)).summary}`);
  lines.push('', 'Run `attain <command> --help` for the options of one command.');
  return lines.join('\n');
}

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(await usage());
  process.exitCode = name ? 0 : 1;
} else if (!available().includes(name)) {
  console.error(`attain: unknown command "${name}"\n\n${await usage()}`);
  process.exitCode = 2;
} else {
  process.exitCode = await (await load(name)).run(rest);
}
