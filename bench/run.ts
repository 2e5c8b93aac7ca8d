/**
 * Runs the benchmarks under bench/: every `<name>.bench.ts` exports `run(): Promise<Record<string, unknown>>`
 * and prints one JSON line of figures whose keys no other benchmark uses. `npm run bench` runs all; `npm run bench -- engine` runs one.
 * Each benchmark runs in its own child process so one's memory (rss_mb) does not colour another's.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const child = process.argv[2] === '--child' ? process.argv[3] : undefined;
if (child) {
  const mod = (await import(join(here, `${child}.bench.ts`))) as { run: () => Promise<Record<string, unknown>> };
  const figures = await mod.run();
  // Keys are unique across benchmarks (each prefixes its own), so lines can be merged into one record.
  process.stdout.write(JSON.stringify(figures) + '\n');
} else {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
    process.exit(2);
  }
  let failed = false;
  for (const name of wanted.length > 0 ? wanted : available) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'run.ts'), '--child', name], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
