/**
 * Turns `app.json` + `extensions/` into an uploadable HubSpot developer project on platform 2025.2.
 *
 * HubSpot uploads everything under `hsproject.json`'s srcDir, so the project is generated into its own folder
 * (never pointing srcDir at our repository, which would upload the engine). Entry files are pre-bundled with
 * esbuild so HubSpot's own build sees files that import nothing but `@hubspot/ui-extensions` and `react`,
 * pinned in each feature folder's package.json exactly as the platform requires.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { APP_UID, type AppConfig } from './app-config.js';

export const PINNED_DEPENDENCIES = { '@hubspot/ui-extensions': '0.17.0', react: '18.3.1' } as const;

/** What a bundled entry may import at run time: HubSpot resolves these from the feature folder's package.json. */
const ALLOWED_RUNTIME_IMPORTS = /^(?:react|react\/jsx-runtime|@hubspot\/ui-extensions(?:\/crm)?)$/;

/** `${API_BASE}` is resolved per profile (`--profile dev|prod`), so one set of hsmeta files serves every environment. */
export const API_BASE_VARIABLE = '${API_BASE}';

export interface GeneratedFile {
  path: string;
  kind: 'json' | 'bundle';
}

export interface GenerateOptions {
  /** Repository root: app.json and extensions/ are resolved from here. */
  root: string;
  outDir: string;
  config: AppConfig;
  /** Account ids per environment from the environment (HUBSPOT_ACCOUNT_ID_<ENV>); ids are not secrets. */
  accountIds?: Record<string, number>;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function componentName(entry: string): string {
  return basename(entry, '.tsx');
}

export async function generateProject(opts: GenerateOptions): Promise<GeneratedFile[]> {
  const { root, outDir, config } = opts;
  const files: GeneratedFile[] = [];
  const src = join(outDir, 'src');
  const app = join(src, 'app');

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });

  const writeJson = (path: string, value: unknown): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
    files.push({ path: relative(outDir, path), kind: 'json' });
  };

  writeJson(join(outDir, 'hsproject.json'), {
    name: config.projectName,
    srcDir: 'src',
    platformVersion: config.platformVersion,
  });

  for (const [env, { apiBase, accountId }] of Object.entries(config.environments)) {
    const id = opts.accountIds?.[env] ?? accountId;
    writeJson(join(outDir, `hsprofile.${env}.json`), {
      ...(id === undefined ? {} : { accountId: id }),
      variables: { API_BASE: apiBase },
    });
  }

  const auth =
    config.auth.type === 'oauth'
      ? {
          type: 'oauth',
          redirectUrls: [`${API_BASE_VARIABLE}${config.auth.redirectPath}`],
          requiredScopes: config.auth.requiredScopes,
          optionalScopes: config.auth.optionalScopes,
          conditionallyRequiredScopes: [],
        }
      : {
          type: 'static',
          requiredScopes: config.auth.requiredScopes,
          optionalScopes: config.auth.optionalScopes,
          conditionallyRequiredScopes: [],
        };

  writeJson(join(app, 'app-hsmeta.json'), {
    uid: APP_UID,
    type: 'app',
    config: {
      name: config.name,
      description: config.description,
      distribution: config.distribution,
      auth,
      permittedUrls: { fetch: [API_BASE_VARIABLE], iframe: [], img: [] },
      support: config.support,
    },
  });

  const bundles: { entry: string; outFile: string }[] = [];
  const feature = (folder: string, entry: string): string => {
    const name = componentName(entry);
    bundles.push({ entry: join(root, entry), outFile: join(app, folder, `${name}.jsx`) });
    return `/app/${folder}/${name}.jsx`;
  };

  for (const card of config.cards) {
    writeJson(join(app, 'cards', `${kebab(componentName(card.entry))}-hsmeta.json`), {
      uid: card.uid,
      type: 'card',
      config: {
        name: card.name,
        ...(card.description ? { description: card.description } : {}),
        location: card.location,
        entrypoint: feature('cards', card.entry),
        objectTypes: card.objectTypes,
      },
    });
  }

  writeJson(join(app, 'settings', 'settings-hsmeta.json'), {
    uid: config.settings.uid,
    type: 'settings',
    config: { entrypoint: feature('settings', config.settings.entry) },
  });

  if (config.home) {
    writeJson(join(app, 'pages', `${kebab(componentName(config.home.entry))}-hsmeta.json`), {
      uid: config.home.uid,
      type: 'page',
      config: { entrypoint: feature('pages', config.home.entry), location: 'home' },
    });
  }

  const wh = config.webhooks;
  const deal = (subscriptionType: string, extra: Record<string, string> = {}) => ({
    subscriptionType,
    objectType: 'deal',
    ...extra,
    active: true,
  });
  writeJson(join(app, 'webhooks', 'webhooks-hsmeta.json'), {
    uid: wh.uid,
    type: 'webhooks',
    config: {
      settings: { targetUrl: `${API_BASE_VARIABLE}${wh.targetPath}`, maxConcurrentRequests: wh.maxConcurrentRequests },
      subscriptions: {
        crmObjects: [
          ...(wh.deal.creation ? [deal('object.creation')] : []),
          ...(wh.deal.deletion ? [deal('object.deletion')] : []),
          ...wh.deal.propertyChange.map((propertyName) => deal('object.propertyChange', { propertyName })),
          ...(wh.deal.associationChange ? [deal('object.associationChange')] : []),
        ],
        legacyCrmObjects: [],
        hubEvents: [],
      },
    },
  });

  for (const folder of new Set(bundles.map((b) => relative(app, dirname(b.outFile))))) {
    writeJson(join(app, folder, 'package.json'), {
      name: `${config.projectName}-${folder}`,
      version: '0.1.0',
      private: true,
      dependencies: PINNED_DEPENDENCIES,
    });
  }

  for (const b of bundles) {
    await bundleEntry(b.entry, b.outFile);
    files.push({ path: relative(outDir, b.outFile), kind: 'bundle' });
  }

  // The dev proxy file maps the API base to a local server; it must never be uploaded with real values.
  writeFileSync(join(outDir, '.gitignore'), 'src/app/local.json\n');
  return files;
}

export class BundleError extends Error {}

/** Bundles one entry; fails if the result would import anything HubSpot's build cannot resolve from the pins. */
export async function bundleEntry(entry: string, outFile: string): Promise<void> {
  const result = await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    jsx: 'automatic',
    external: ['react', 'react/*', '@hubspot/ui-extensions', '@hubspot/ui-extensions/*'],
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((err: unknown) => {
    throw new BundleError(`${entry} does not bundle: ${err instanceof Error ? err.message : String(err)}`);
  });
  const output = Object.values(result.metafile.outputs)[0];
  const bad = (output?.imports ?? []).filter((i) => !ALLOWED_RUNTIME_IMPORTS.test(i.path)).map((i) => i.path);
  if (bad.length > 0)
    throw new BundleError(
      `${entry} would import ${bad.join(', ')} at run time; cards may import only react and @hubspot/ui-extensions`,
    );
}
