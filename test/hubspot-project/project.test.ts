import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appConfigSchema,
  parseAppConfig,
  readAppConfig,
  type AppConfig,
} from '../../server/hubspot-project/app-config.js';
import { generateProject, PINNED_DEPENDENCIES } from '../../server/hubspot-project/generate.js';

const root = join(import.meta.dirname, '../..');
let out: string;
let config: AppConfig;

function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(out, path), 'utf8')) as Record<string, unknown>;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const FOLDER_TYPE: Record<string, string> = {
  app: 'app',
  cards: 'card',
  settings: 'settings',
  webhooks: 'webhooks',
  pages: 'page',
};

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'attain-hsproject-'));
  config = readAppConfig(join(root, 'app.json'));
  await generateProject({ root, outDir: out, config, accountIds: { prod: 123456 } });
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('generated HubSpot project (platform 2025.2)', () => {
  it('has hsproject.json with srcDir "src" and platform 2025.2', () => {
    expect(json('hsproject.json')).toEqual({ name: 'attain', srcDir: 'src', platformVersion: '2025.2' });
  });

  it('every *-hsmeta.json has uid, type matching its folder and config; uids are unique and ≤ 64 chars', () => {
    const metas = walk(join(out, 'src/app')).filter((f) => f.endsWith('-hsmeta.json'));
    expect(metas.map((f) => relative(join(out, 'src/app'), f)).sort()).toEqual(
      [
        'app-hsmeta.json',
        'cards/contact-quota-card-hsmeta.json',
        'cards/deal-commission-card-hsmeta.json',
        'pages/team-home-hsmeta.json',
        'settings/settings-hsmeta.json',
        'webhooks/webhooks-hsmeta.json',
      ].sort(),
    );
    const uids = new Set<string>();
    for (const file of metas) {
      const meta = JSON.parse(readFileSync(file, 'utf8')) as {
        uid: string;
        type: string;
        config: Record<string, unknown>;
      };
      const folder = relative(join(out, 'src/app'), file).includes('/')
        ? relative(join(out, 'src/app'), file).split('/')[0]!
        : 'app';
      expect(meta.uid).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
      expect(uids.has(meta.uid)).toBe(false);
      uids.add(meta.uid);
      expect(meta.type).toBe(FOLDER_TYPE[folder]);
      expect(typeof meta.config).toBe('object');
      expect(Object.keys(meta).every((k) => ['uid', 'type', 'config', 'dependencies', 'permissions'].includes(k))).toBe(
        true,
      );
    }
  });

  it('the app component has the fields an OAuth marketplace app needs', () => {
    const app = json('src/app/app-hsmeta.json') as { config: Loose };
    expect(app.config.name).toBe('Attain');
    expect(app.config.distribution).toBe('marketplace');
    expect(app.config.auth.type).toBe('oauth');
    expect(app.config.auth.requiredScopes).toContain('oauth');
    expect(app.config.auth.redirectUrls).toEqual(['${API_BASE}/oauth/hubspot/callback']);
    for (const key of ['requiredScopes', 'optionalScopes', 'conditionallyRequiredScopes'])
      expect(Array.isArray(app.config.auth[key])).toBe(true);
    expect(app.config.support.supportEmail).toMatch(/@/);
  });

  it('cards, settings and home page point at entry files that exist, are bundled and import only react and @hubspot/ui-extensions', () => {
    const entries: string[] = [];
    for (const file of walk(join(out, 'src/app')).filter((f) => f.endsWith('-hsmeta.json'))) {
      const meta = JSON.parse(readFileSync(file, 'utf8')) as {
        type: string;
        config: { entrypoint?: string; location?: string; objectTypes?: string[] };
      };
      if (!['card', 'settings', 'page'].includes(meta.type)) continue;
      const entry = meta.config.entrypoint!;
      expect(entry).toMatch(/^\/app\/(cards|settings|pages)\/[A-Za-z]+\.jsx$/);
      entries.push(entry);
      const code = readFileSync(join(out, 'src', entry), 'utf8');
      const imports = [...code.matchAll(/(?:^|\n)\s*import\s[^;]*?from\s*"([^"]+)"|import\("([^"]+)"\)/g)].map(
        (m) => m[1] ?? m[2],
      );
      expect(imports.length).toBeGreaterThan(0);
      for (const i of imports) expect(i).toMatch(/^(react|react\/jsx-runtime|@hubspot\/ui-extensions(\/crm)?)$/);
      expect(code).toMatch(/\bhubspot\d*\.extend\(/);
      expect(code).not.toMatch(/\bdocument\.|\bwindow\.|process\.env/);
      if (meta.type === 'card') {
        expect(['crm.record.tab', 'crm.record.sidebar', 'crm.preview', 'helpdesk.sidebar']).toContain(
          meta.config.location,
        );
        expect(meta.config.objectTypes!.length).toBeGreaterThan(0);
      }
    }
    expect(entries).toHaveLength(4);
  });

  it('each extension folder pins @hubspot/ui-extensions 0.17.0 and react 18.3.1 exactly', () => {
    for (const folder of ['cards', 'settings', 'pages']) {
      const pkg = json(`src/app/${folder}/package.json`) as { dependencies: Record<string, string> };
      expect(pkg.dependencies).toEqual(PINNED_DEPENDENCIES);
      expect(pkg.dependencies).toEqual({ '@hubspot/ui-extensions': '0.17.0', react: '18.3.1' });
    }
  });

  it('permitted fetch URLs resolve, per profile, to exactly the configured API base (HTTPS origin)', () => {
    const app = json('src/app/app-hsmeta.json') as { config: { permittedUrls: { fetch: string[] } } };
    for (const [env, e] of Object.entries(config.environments)) {
      const profile = json(`hsprofile.${env}.json`) as { accountId?: number; variables: { API_BASE: string } };
      expect(profile.variables.API_BASE).toBe(e.apiBase);
      const resolved = app.config.permittedUrls.fetch.map((u) => u.replace('${API_BASE}', profile.variables.API_BASE));
      expect(resolved).toEqual([e.apiBase]);
      expect(new URL(resolved[0]!).protocol).toBe('https:');
      expect(new URL(resolved[0]!).origin).toBe(resolved[0]);
    }
    expect((json('hsprofile.prod.json') as { accountId?: number }).accountId).toBe(123456);
    // The cards build every URL from the profile variable, so they can only call a permitted origin.
    const hook = readFileSync(join(root, 'extensions/hooks/useApi.ts'), 'utf8');
    expect(hook).toContain('context.variables?.API_BASE');
  });

  it('subscribes the deal webhooks the sync needs, one entry per property, to the API base', () => {
    const wh = json('src/app/webhooks/webhooks-hsmeta.json') as {
      config: { settings: { targetUrl: string }; subscriptions: { crmObjects: Array<Record<string, unknown>> } };
    };
    expect(wh.config.settings.targetUrl).toBe('${API_BASE}/hubspot/webhooks');
    const subs = wh.config.subscriptions.crmObjects;
    expect(subs.every((s) => s.objectType === 'deal' && s.active === true)).toBe(true);
    expect(subs.filter((s) => s.subscriptionType === 'object.propertyChange').map((s) => s.propertyName)).toEqual([
      'amount',
      'dealstage',
      'closedate',
      'hubspot_owner_id',
      'deal_currency_code',
    ]);
    for (const t of ['object.creation', 'object.deletion', 'object.associationChange'])
      expect(subs.some((s) => s.subscriptionType === t)).toBe(true);
  });

  it('keeps the dev proxy file out of version control in the generated project', () => {
    expect(readFileSync(join(out, '.gitignore'), 'utf8')).toContain('src/app/local.json');
    expect(existsSync(join(out, 'src/app/local.json'))).toBe(false);
  });
});

// Loose JSON on purpose: each case breaks one field of the real app.json.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('app.json schema', () => {
  const valid = JSON.parse(readFileSync(join(root, 'app.json'), 'utf8')) as Loose;
  const variant = (patch: (c: Loose) => void) => {
    const c = structuredClone(valid);
    patch(c);
    return c;
  };

  it('accepts the repository app.json', () => {
    expect(appConfigSchema.safeParse(valid).success).toBe(true);
  });

  it.each([
    [
      'an http API base',
      (c: Loose) => (c.environments.prod.apiBase = 'http://api.attain.example'),
      'environments.prod.apiBase must use https',
    ],
    ['a localhost API base', (c: Loose) => (c.environments.dev.apiBase = 'https://localhost'), 'must not be localhost'],
    [
      'an API base with a path',
      (c: Loose) => (c.environments.dev.apiBase = 'https://x.example/api'),
      'must be an origin',
    ],
    ['a uid over 64 characters', (c: Loose) => (c.cards[0].uid = 'x'.repeat(65)), 'cards.0.uid must be 1–64'],
    ['a duplicate uid', (c: Loose) => (c.cards[1].uid = c.cards[0].uid), 'is used twice'],
    ['static auth on the marketplace', (c: Loose) => (c.auth.type = 'static'), 'static auth is only valid'],
    ['an unknown card location', (c: Loose) => (c.cards[0].location = 'crm.record.middle'), 'cards.0.location'],
  ])('rejects %s with a message naming the field', (_name, patch, message) => {
    expect(() => parseAppConfig(variant(patch))).toThrow(message);
  });
});
