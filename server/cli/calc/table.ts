/** The human-readable `attain calc` table: one row per payee and a team row, money and percentages localised. */
import type { CalculationResult } from '../../../src/engine/types.js';
import { formatMoney, formatPercent, LOCALE_OF, type Language } from '../../../src/format/index.js';

const HEADINGS: Record<
  Language,
  {
    payee: string;
    quota: string;
    credited: string;
    attainment: string;
    earnings: string;
    team: string;
    period: string;
    warnings: string;
  }
> = {
  da: {
    payee: 'Sælger',
    quota: 'Kvote',
    credited: 'Opnået',
    attainment: 'Opfyldelse',
    earnings: 'Provision',
    team: 'Team i alt',
    period: 'Periode',
    warnings: 'Advarsler',
  },
  en: {
    payee: 'Seller',
    quota: 'Quota',
    credited: 'Achieved',
    attainment: 'Attainment',
    earnings: 'Earnings',
    team: 'Team total',
    period: 'Period',
    warnings: 'Warnings',
  },
};

export function renderTable(result: CalculationResult, lang: Language): string {
  const h = HEADINGS[lang];
  const locale = LOCALE_OF[lang];
  const money = (v: string) => formatMoney(v, result.currency, locale);
  const pct = (v: string) => formatPercent(v, locale);
  const rows = result.payees.map((p) => [
    p.name,
    money(p.quota),
    money(p.credited),
    pct(p.attainment),
    money(p.earnings),
  ]);
  const team = [
    h.team,
    money(result.team.quota),
    money(result.team.credited),
    pct(result.team.attainment),
    money(result.team.earnings),
  ];
  const head = [h.payee, h.quota, h.credited, h.attainment, h.earnings];
  const all = [head, ...rows, team];
  const widths = head.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = [
    `${h.period} ${result.period} · ${result.currency}`,
    '',
    line(head),
    rule,
    ...rows.map(line),
    rule,
    line(team),
  ];
  if (result.warnings.length > 0)
    out.push('', `${h.warnings}:`, ...result.warnings.map((w) => `  ${w.code}: ${w.message}`));
  return out.join('\n');
}
