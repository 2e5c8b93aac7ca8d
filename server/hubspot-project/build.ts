/**
 * `npm run hubspot:build [-- --out build/hubspot]`: validates app.json and writes the uploadable 2025.2 project.
 * Account ids (not secrets) may come from HUBSPOT_ACCOUNT_ID_<ENV>, e.g. HUBSPOT_ACCOUNT_ID_PROD=123456.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppConfigError, readAppConfig } from './app-config.js';
import { BundleError, generateProject } from './generate.js';

function accountIdsFromEnv(envNames: string[]): Record<string, number> {
  const ids: Record<string, number> = {};
  for (const env of envNames) {
    const raw = process.env[`HUBSPOT_ACCOUNT_ID_${env.toUpperCase().replace(/-/g, '_')}`];
    if (raw === undefined || raw.trim() === '') continue;
    if (!/^[1-9]\d*$/.test(raw.trim()))
      throw new AppConfigError([`HUBSPOT_ACCOUNT_ID_${env.toUpperCase()} must be a HubSpot account id (digits)`]);
    ids[env] = Number(raw.trim());
  }
  return ids;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'build/hubspot' }, root: { type: 'string', default: '.' } },
  });
  const root = resolve(values.root);
  const outDir = resolve(values.out);
  try {
    const config = readAppConfig(resolve(root, 'app.json'));
    const files = await generateProject({
      root,
      outDir,
      config,
      accountIds: accountIdsFromEnv(Object.keys(config.environments)),
    });
    process.stdout.write(`HubSpot project (platform ${config.platformVersion}) written to ${outDir}\n`);
    for (const f of files) process.stdout.write(`  ${f.path}\n`);
    const ids = accountIdsFromEnv(Object.keys(config.environments));
    for (const [env, e] of Object.entries(config.environments)) {
      if (e.accountId === undefined && ids[env] === undefined) {
        process.stdout.write(
          `Note: hsprofile.${env}.json has no accountId; set HUBSPOT_ACCOUNT_ID_${env.toUpperCase()} (or environments.${env}.accountId in app.json) before uploading with --profile ${env}.\n`,
        );
      }
    }
    process.stdout.write(
      `Upload: cd ${outDir} && hs project upload --profile <${Object.keys(config.environments).join('|')}>\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof AppConfigError || err instanceof BundleError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main();
