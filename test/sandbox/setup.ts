/**
 * Shared by the sandbox suites: nothing but loopback traffic leaves a test, and every sandbox a test starts
 * is closed after it.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  startHubSpotSandbox,
  type HubSpotSandbox,
  type HubSpotSandboxOptions,
} from '../../server/sandbox/hubspot/index.js';

/** Call at the top of a test file; use the returned function instead of startHubSpotSandbox. */
export function sandboxPerTest(): (options?: HubSpotSandboxOptions) => Promise<HubSpotSandbox> {
  const started: HubSpotSandbox[] = [];
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(() => nock.enableNetConnect());
  afterEach(async () => {
    for (const sandbox of started.splice(0)) await sandbox.close();
  });
  return async (options) => {
    const sandbox = await startHubSpotSandbox(options);
    started.push(sandbox);
    return sandbox;
  };
}
