import pino from 'pino';
import { FakeGenesys } from '@tgg/emulators';
import { eventually } from '@tgg/testing';
import { GenesysTokenPoller } from './genesys-token.poller.js';
import { GenesysTokenCache } from './token-cache.js';

// The poller is the only thing that fetches the token before traffic does: /health/dependencies
// (service-runtime's genesysTokenDependency) reads its outcome from the cache's lastHealth().
describe('GenesysTokenPoller', () => {
  let genesys: FakeGenesys;
  const silent = pino({ level: 'silent' });

  beforeAll(async () => {
    genesys = await FakeGenesys.start();
    genesys.addClient('poller-client', 'poller-secret');
  });
  afterAll(async () => {
    await genesys.close();
  });

  function pollerFor(clientSecret: string): { cache: GenesysTokenCache; poller: GenesysTokenPoller } {
    const cache = new GenesysTokenCache({ loginBaseUrl: genesys.baseUrl, clientId: 'poller-client', clientSecret });
    return { cache, poller: new GenesysTokenPoller(cache, silent) };
  }

  it('fetches the token at start, so the cache reports it healthy before any message needs it', async () => {
    const { cache, poller } = pollerFor('poller-secret');
    expect(cache.lastHealth()).toBeUndefined();
    poller.onApplicationBootstrap();
    try {
      await eventually(() => expect(cache.lastHealth()?.ok).toBe(true));
    } finally {
      poller.beforeApplicationShutdown();
    }
  });

  it('leaves a rejected client reported as down in the cache', async () => {
    const { cache, poller } = pollerFor('not-the-secret');
    poller.onApplicationBootstrap();
    try {
      await eventually(() => expect(cache.lastHealth()).toEqual(expect.objectContaining({ ok: false, message: 'Genesys token request answered 401' })));
    } finally {
      poller.beforeApplicationShutdown();
    }
  });
});
