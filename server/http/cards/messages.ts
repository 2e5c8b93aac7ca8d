/** Server-made sentences in the card view models, Danish and English. Labels the card owns live in extensions/i18n. */
import type { Locale } from './schemas.js';

export const MESSAGES = {
  en: {
    status: {
      estimated: 'Estimated if it closes as it stands',
      earned: 'Earned',
      paid: 'Paid',
      'clawback-window': 'Paid, in clawback window',
      lost: 'Lost: pays nothing',
    },
    pacing: { ahead: 'Ahead of pace', 'on-track': 'On pace', behind: 'Behind pace' },
    calculated: (ago: string) => `Calculated ${ago}`,
    notCalculated: 'Not calculated yet',
    nobodyVisible: 'This deal credits nobody you can see.',
    noCredit: 'Nobody is credited for this deal yet (no owner or split that maps to a payee).',
    noPeriod: 'The close date is outside every plan period.',
    ownerUnknown: 'The contact owner is not set up as a payee.',
    ownerHidden: 'You may not see the contact owner’s pay.',
    accelerator: (m: string, label: string) => `${m}× in tier ${label}`,
  },
  da: {
    status: {
      estimated: 'Anslået, hvis den lukkes som den står',
      earned: 'Optjent',
      paid: 'Udbetalt',
      'clawback-window': 'Udbetalt, inden for tilbagebetalingsperioden',
      lost: 'Tabt: udløser intet',
    },
    pacing: { ahead: 'Foran tempoet', 'on-track': 'I tempo', behind: 'Bagud' },
    calculated: (ago: string) => `Beregnet ${ago}`,
    notCalculated: 'Endnu ikke beregnet',
    nobodyVisible: 'Denne handel krediterer ingen, du kan se.',
    noCredit: 'Ingen er krediteret for denne handel endnu (ingen ejer eller fordeling, der svarer til en modtager).',
    noPeriod: 'Lukkedatoen ligger uden for alle planens perioder.',
    ownerUnknown: 'Kontaktens ejer er ikke oprettet som modtager.',
    ownerHidden: 'Du må ikke se kontaktejerens provision.',
    accelerator: (m: string, label: string) => `${m}× i trinnet ${label}`,
  },
} satisfies Record<Locale, unknown>;

export function messages(locale: Locale): (typeof MESSAGES)['en'] {
  return MESSAGES[locale];
}
