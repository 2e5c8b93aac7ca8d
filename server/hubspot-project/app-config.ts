/**
 * The schema of the root `app.json`: the one human-edited description of the HubSpot app. The build turns it into
 * HubSpot's 2025.2 project files; anything HubSpot would reject at upload (bad uid, http origin, unknown location)
 * is rejected here first, with the field named, because HubSpot validates only online.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const HSMETA_UID = /^[A-Za-z0-9_.-]{1,64}$/;

const uid = z.string().regex(HSMETA_UID, { message: 'must be 1–64 characters of A–Z, a–z, 0–9, "_", "." or "-"' });

/** hubspot.fetch only reaches HTTPS origins listed in permittedUrls.fetch; localhost is refused by HubSpot. */
const apiBase = z
  .url({ message: 'must be an absolute URL such as https://api.attain.example' })
  .refine((u) => new URL(u).protocol === 'https:', { message: 'must use https (HubSpot refuses other schemes)' })
  .refine((u) => !['localhost', '127.0.0.1', '[::1]'].includes(new URL(u).hostname), {
    message: 'must not be localhost (use the dev proxy in src/app/local.json for local work)',
  })
  .refine(
    (u) => {
      const p = new URL(u);
      return p.pathname === '/' && !p.search && !p.hash && !u.endsWith('/');
    },
    {
      message: 'must be an origin without path or trailing slash, e.g. https://api.attain.example',
    },
  );

/** Extension entry files live in extensions/ and are TypeScript React. */
const entry = z.string().regex(/^extensions\/[A-Za-z0-9_/-]+\/[A-Z][A-Za-z0-9]*\.tsx$/, {
  message: 'must be a path like extensions/cards/DealCommissionCard.tsx (PascalCase component file)',
});

const scope = z
  .string()
  .regex(/^[a-z][a-z0-9._-]*$/, { message: 'must be a HubSpot scope name such as crm.objects.deals.read' });

const cardSchema = z.object({
  uid,
  name: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  location: z.enum(['crm.record.tab', 'crm.record.sidebar', 'crm.preview', 'helpdesk.sidebar']),
  objectTypes: z.array(z.enum(['contacts', 'companies', 'deals', 'tickets'])).min(1),
  entry,
});

const dealProperty = z.enum([
  'amount',
  'dealstage',
  'closedate',
  'hubspot_owner_id',
  'deal_currency_code',
  'pipeline',
  'dealname',
]);

export const appConfigSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().min(1).max(500),
    projectName: z.string().regex(/^[a-z0-9-]{1,64}$/, { message: 'must be lowercase letters, digits and "-"' }),
    platformVersion: z.literal('2025.2'),
    distribution: z.enum(['marketplace', 'private']),
    auth: z.object({
      type: z.enum(['oauth', 'static']),
      redirectPath: z
        .string()
        .regex(/^\/[A-Za-z0-9/_-]*$/, { message: 'must be a path such as /oauth/hubspot/callback' }),
      requiredScopes: z.array(scope).min(1),
      optionalScopes: z.array(scope).default([]),
    }),
    support: z.object({
      supportEmail: z.email(),
      documentationUrl: z.url(),
      supportUrl: z.url(),
      supportPhone: z.string().optional(),
    }),
    environments: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'environment names are lowercase, e.g. dev, prod' }),
        z.object({ apiBase, accountId: z.number().int().positive().optional() }),
      )
      .refine((envs) => Object.keys(envs).length > 0, { message: 'needs at least one environment (dev, prod)' }),
    cards: z.array(cardSchema).min(1),
    home: z.object({ uid, name: z.string().min(1), entry }).optional(),
    settings: z.object({ uid, entry }),
    webhooks: z.object({
      uid,
      targetPath: z.string().regex(/^\/[A-Za-z0-9/_-]*$/, { message: 'must be a path such as /hubspot/webhooks' }),
      maxConcurrentRequests: z.number().int().min(5).max(20),
      deal: z.object({
        creation: z.boolean(),
        deletion: z.boolean(),
        associationChange: z.boolean(),
        propertyChange: z.array(dealProperty),
      }),
    }),
  })
  .superRefine((cfg, ctx) => {
    const auth = cfg.auth;
    if (auth.type === 'static' && cfg.distribution === 'marketplace') {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'type'],
        message: 'static auth is only valid with distribution "private"',
      });
    }
    if (auth.type === 'oauth' && !auth.requiredScopes.includes('oauth')) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'requiredScopes'],
        message: 'an OAuth app must require the "oauth" scope',
      });
    }
    const uids = [
      ...cfg.cards.map((c) => c.uid),
      cfg.settings.uid,
      cfg.webhooks.uid,
      ...(cfg.home ? [cfg.home.uid] : []),
      'attain_app',
    ];
    const seen = new Set<string>();
    for (const u of uids) {
      if (seen.has(u))
        ctx.addIssue({
          code: 'custom',
          path: ['cards'],
          message: `uid "${u}" is used twice; uids are unique per project`,
        });
      seen.add(u);
    }
    const props = cfg.webhooks.deal.propertyChange;
    if (new Set(props).size !== props.length) {
      ctx.addIssue({ code: 'custom', path: ['webhooks', 'deal', 'propertyChange'], message: 'lists a property twice' });
    }
  });

export type AppConfig = z.infer<typeof appConfigSchema>;

/** The uid of the app component itself; fixed so installs survive a rename of the app. */
export const APP_UID = 'attain_app';

export class AppConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`app.json is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'AppConfigError';
  }
}

export function parseAppConfig(json: unknown): AppConfig {
  const parsed = appConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`));
  }
  return parsed.data;
}

export function readAppConfig(file: string): AppConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppConfigError([`${file} is not readable JSON: ${(err as Error).message}`]);
  }
  return parseAppConfig(json);
}
