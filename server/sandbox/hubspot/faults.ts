/**
 * Switchable fault injection: each API request draws once from a seeded generator and may be answered with a
 * 429, a 5xx, no answer at all (timeout), or a dropped connection; latency is added before any of that.
 */
import { z } from 'zod';
import { seededRandom } from '../seeded-random.js';

const fraction = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const faultConfigSchema = z
  .object({
    rate429: fraction.default(0),
    rate5xx: fraction.default(0),
    timeout: fraction.default(0),
    reset: fraction.default(0),
    /** Added to every API request: a fixed delay or a [min, max] range in ms. */
    latencyMs: z
      .union([z.number().int().min(0), z.tuple([z.number().int().min(0), z.number().int().min(0)])])
      .default(0),
    /** How long a "timeout" holds the connection before dropping it. */
    hangMs: z.number().int().min(0).default(30_000),
    seed: z.number().int().default(1),
  })
  .refine((f) => f.rate429 + f.rate5xx + f.timeout + f.reset <= 1, {
    message: 'rate429 + rate5xx + timeout + reset must not exceed 1',
  });
export type FaultConfig = z.infer<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

export type Fault = 'reset' | 'timeout' | '429' | '5xx' | null;

export class FaultInjector {
  private config: FaultConfig;
  private random: () => number;

  constructor(config: FaultConfigInput = {}) {
    this.config = faultConfigSchema.parse(config);
    this.random = seededRandom(this.config.seed);
  }

  get current(): FaultConfig {
    return this.config;
  }

  /** Replaces the settings given, keeps the others; a new seed restarts the sequence. */
  update(patch: FaultConfigInput): FaultConfig {
    const next = faultConfigSchema.parse({ ...this.config, ...patch });
    if (patch.seed !== undefined) this.random = seededRandom(next.seed);
    this.config = next;
    return next;
  }

  latency(): number {
    const l = this.config.latencyMs;
    if (typeof l === 'number') return l;
    return Math.round(l[0] + this.random() * Math.max(0, l[1] - l[0]));
  }

  draw(): Fault {
    const { reset, timeout, rate429, rate5xx } = this.config;
    if (reset + timeout + rate429 + rate5xx === 0) return null;
    const r = this.random();
    if (r < reset) return 'reset';
    if (r < reset + timeout) return 'timeout';
    if (r < reset + timeout + rate429) return '429';
    if (r < reset + timeout + rate429 + rate5xx) return '5xx';
    return null;
  }
}

/** `429=0.3,5xx=0.05,timeout=0.02,reset=0.01,latency=20` (latency may be `10-50`) → fault settings. */
export function parseFaultSpec(spec: string): FaultConfigInput {
  const out: Record<string, unknown> = {};
  const keys: Record<string, string> = {
    '429': 'rate429',
    '5xx': 'rate5xx',
    timeout: 'timeout',
    reset: 'reset',
    hang: 'hangMs',
    seed: 'seed',
  };
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key, value] = part.split('=');
    if (!key || value === undefined) throw new Error(`fault "${part}" must look like 429=0.3`);
    if (key === 'latency') {
      const range = value.split('-').map(Number);
      out['latencyMs'] = range.length === 2 ? range : range[0];
      continue;
    }
    const name = keys[key];
    if (!name) throw new Error(`unknown fault "${key}" (known: 429, 5xx, timeout, reset, latency, hang, seed)`);
    out[name] = Number(value);
  }
  const parsed = faultConfigSchema.safeParse(out);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'faults'}: ${i.message}`).join('; '));
  return out as FaultConfigInput;
}
