import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import sandboxCommand from '../../server/cli/commands/sandbox.js';
import {
  HubSpotConnector,
  HubSpotOAuth,
  OAuthTokenSource,
  PortalBudgets,
  type HubSpotTokens,
} from '../../server/crm/hubspot/index.js';
import { generateScenario, type HubSpotSandbox, type WebhookEvent } from '../../server/sandbox/hubspot/index.js';
import { sandboxPerTest } from './setup.js';

let sandbox: HubSpotSandbox | null = null;
let receiver: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  receiver = null;
  vi.restoreAllMocks();
});
// Registered after the receiver's hook so it runs before it (after-hooks run in reverse): sandbox first, as before.
const startSandbox = sandboxPerTest();

interface Received {
  url: string;
  body: string;
  signature: string;
  timestamp: string;
}

/** A stand-in for our webhook endpoint: records raw bodies, answers with the queued statuses (then 204). */
async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const app = express();
  app.post('/hubspot/webhooks', express.raw({ type: '*/*' }), (req, res) => {
    received.push({
      url: `http://127.0.0.1:${port}${req.originalUrl}`,
      body: (req.body as Buffer).toString('utf8'),
      signature: req.get('X-HubSpot-Signature-v3') ?? '',
      timestamp: req.get('X-HubSpot-Request-Timestamp') ?? '',
    });
    res.status(statuses.shift() ?? 204).end();
  });
  receiver = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (receiver.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hubspot/webhooks`, received };
}

function validV3(r: Received, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(`POST${r.url}${r.body}${r.timestamp}`, 'utf8').digest();
  const given = Buffer.from(r.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhook delivery', () => {
  it('posts a signed JSON array of deal events for the subscribed properties only', async () => {
    const target = await startReceiver();
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 2, dealsPerOwner: 2 }),
      webhooks: { targetUrl: target.url, batchDelayMs: 5 },
    });
    const patch = await fetch(`${sandbox.url}/_sandbox/deals/30000000001`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: '2500.00', stage: 'Closed Lost' }),
    });
    expect(patch.status).toBe(200);
    // A write of our own result property is not an engine input: no event.
    sandbox.state.properties.deals.set('attain_earned_commission', {
      ...sandbox.state.properties.deals.get('amount')!,
      name: 'attain_earned_commission',
      hubspotDefined: false,
    });
    sandbox.state.updateDeals([{ id: '30000000002', properties: { attain_earned_commission: '10' } }], 'API');
    await sandbox.webhooks.idle();

    expect(target.received).toHaveLength(1);
    const delivery = target.received[0]!;
    expect(validV3(delivery, sandbox.app.clientSecret)).toBe(true);
    expect(validV3(delivery, 'another-secret')).toBe(false);
    const events = JSON.parse(delivery.body) as WebhookEvent[];
    expect(events.map((e) => [e.subscriptionType, e.propertyName, e.propertyValue])).toEqual([
      ['deal.propertyChange', 'amount', '2500.00'],
      ['deal.propertyChange', 'dealstage', 'closedlost'],
    ]);
    expect(events[0]).toMatchObject({
      portalId: sandbox.state.portalId,
      appId: sandbox.app.appId,
      objectId: 30000000001,
      objectTypeId: '0-3',
      attemptNumber: 0,
      changeSource: 'CRM_UI',
    });
  });

  it('reports deals created and deleted through the admin API as creation and deletion events', async () => {
    const target = await startReceiver();
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 1, dealsPerOwner: 1 }),
      webhooks: { targetUrl: target.url, batchDelayMs: 5 },
    });
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${sandbox!.url}/_sandbox${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const created = await admin('POST', '/deals', {
      properties: { dealname: 'New', amount: '500', dealstage: 'closedwon', pipeline: 'default' },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await admin('DELETE', `/deals/${id}`)).status).toBe(204);
    expect((await admin('DELETE', `/deals/${id}`)).status).toBe(404);
    await sandbox.webhooks.idle();
    const events = target.received.flatMap((r) => JSON.parse(r.body) as WebhookEvent[]);
    expect(events.map((e) => [e.subscriptionType, e.objectId, e.changeFlag])).toEqual([
      ['deal.creation', Number(id), 'CREATED'],
      ['deal.deletion', Number(id), 'DELETED'],
    ]);
    expect(sandbox.state.objects.deals.has(id)).toBe(false);
  });

  it('retries a failed delivery with attemptNumber counting up, and not after a 4xx that HubSpot does not retry', async () => {
    const target = await startReceiver([503, 204, 400]);
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 1, dealsPerOwner: 2 }),
      webhooks: { targetUrl: target.url, batchDelayMs: 5, retryDelaysMs: [5, 5] },
    });
    sandbox.state.updateDeals([{ id: '30000000001', properties: { amount: '1' } }], 'CRM_UI');
    await sandbox.webhooks.idle();
    sandbox.state.updateDeals([{ id: '30000000002', properties: { amount: '2' } }], 'CRM_UI');
    await sandbox.webhooks.idle();
    expect(target.received.map((r) => (JSON.parse(r.body) as WebhookEvent[])[0]!.attemptNumber)).toEqual([0, 1, 0]);
    expect(sandbox.webhooks.deliveries.map((d) => d.status)).toEqual([503, 204, 400]);
  });
});

describe('OAuth install against the sandbox', () => {
  it('authorizes, exchanges the code, learns the portal, and keeps working past token expiry by refreshing ahead', async () => {
    const time = { t: Date.parse('2026-10-01T08:00:00Z') };
    const clock = {
      now: () => time.t,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 3, dealsPerOwner: 1 }),
      limits: { accessTokenTtlSeconds: 1_800 },
      now: clock.now,
    });
    const redirectUri = 'http://127.0.0.1:3000/oauth/hubspot/callback';
    const oauth = new HubSpotOAuth({
      clientId: sandbox.app.clientId,
      clientSecret: sandbox.app.clientSecret,
      redirectUri,
      basePath: sandbox.url,
      authorizeUrl: `${sandbox.url}/oauth/authorize`,
      clock,
    });

    const consent = await fetch(oauth.authorizationUrl({ goals: true }, 'csrf-1'), { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('csrf-1');

    const installed = await oauth.exchangeCode(callback.searchParams.get('code')!);
    expect(installed.portalId).toBe(sandbox.state.portalId);
    expect(installed.scopes).toContain('crm.objects.goals.read');
    await expect(oauth.exchangeCode(callback.searchParams.get('code')!)).rejects.toMatchObject({ kind: 'bad-request' });

    let stored: HubSpotTokens = installed.tokens;
    const store = { load: async () => stored, save: async (_p: number, t: HubSpotTokens) => void (stored = t) };
    const tokens = new OAuthTokenSource(installed.portalId, store, oauth, 5 * 60_000, clock);
    const connector = new HubSpotConnector({
      portalKey: String(installed.portalId),
      accessToken: tokens.get,
      basePath: sandbox.url,
      budgets: new PortalBudgets(),
    });
    expect((await connector.listPayees()).payees).toHaveLength(3);

    time.t += 26 * 60_000; // 4 minutes left: inside the refresh margin
    expect((await connector.listPayees()).payees).toHaveLength(3);
    expect(stored.accessToken).not.toBe(installed.tokens.accessToken);
    expect(stored.refreshToken).toBe(installed.tokens.refreshToken);
    expect(sandbox.stats().byOutcome['unauthorized']).toBeUndefined();
  });
});

describe('attain sandbox set-deal', () => {
  it('changes a deal in a running sandbox by stage label and amount', async () => {
    sandbox = await startSandbox({ scenario: generateScenario({ owners: 1, dealsPerOwner: 1 }) });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await sandboxCommand.run([
      'set-deal',
      '30000000001',
      'amount=99000.50',
      'stage=Closed Won',
      'closeDate=2026-09-30',
      '--url',
      sandbox.url,
    ]);
    expect(code).toBe(0);
    const deal = sandbox.state.objects.deals.get('30000000001')!.properties;
    expect([deal['amount'], deal['dealstage'], deal['closedate']]).toEqual([
      '99000.50',
      'closedwon',
      '2026-09-30T12:00:00.000Z',
    ]);
    expect(log.mock.calls[0]![0]).toContain('deal 30000000001: amount 99000.50, stage closedwon');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await sandboxCommand.run(['set-deal', '30000000001', 'stage=nope', '--url', sandbox.url])).toBe(1);
  });
});
