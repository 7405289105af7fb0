import net from 'node:net';
import { BridgeHarness, HARNESS_CREDENTIALS, reservePort } from '@tgg/testing';

/**
 * A port can still be taken between its probe and the service's listen (another checkout running
 * tests at the same time): the harness then moves the service to a fresh port and the URLs that
 * name it follow, instead of failing the test with EADDRINUSE.
 */
describe('BridgeHarness ports', () => {
  const squatters: net.Server[] = [];
  const connections = new Set<net.Socket>();
  let bridge: BridgeHarness | undefined;

  async function takenPort(): Promise<number> {
    const port = await reservePort();
    // Like a stranger on the port: it accepts connections and never answers.
    const server = net.createServer((socket) => connections.add(socket));
    await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
    squatters.push(server);
    return port;
  }

  afterAll(async () => {
    await bridge?.stop();
    for (const socket of connections) socket.destroy();
    await Promise.all(squatters.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('moves a service whose port was taken, and the URLs follow (PUBLIC_BASE_URL, the Genesys webhook)', async () => {
    const [ingressTaken, outboundTaken] = [await takenPort(), await takenPort()];
    bridge = await BridgeHarness.start({ services: ['ingress', 'outbound', 'sequencer'], ports: { ingress: ingressTaken, outbound: outboundTaken } });
    expect(bridge.ports.ingress).not.toBe(ingressTaken);
    expect(bridge.ports.outbound).not.toBe(outboundTaken);
    expect(bridge.env['PUBLIC_BASE_URL']).toBe(`http://127.0.0.1:${bridge.ports.ingress}`);
    expect(bridge.genesys.integration(HARNESS_CREDENTIALS.integrationId)?.webhookUrl).toBe(`http://127.0.0.1:${bridge.ports.outbound}/genesys/webhook/default`);
    for (const service of ['ingress', 'outbound', 'sequencer'] as const) expect((await fetch(`${bridge.url(service)}/health/ready`)).status).toBe(200);

    // A killed service comes back on the same port.
    const outboundPort = bridge.ports.outbound;
    await bridge.restart('outbound');
    expect(bridge.ports.outbound).toBe(outboundPort);
    expect((await fetch(`${bridge.url('outbound')}/health/ready`)).status).toBe(200);
  }, 90_000);
});
