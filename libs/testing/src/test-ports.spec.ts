import net from 'node:net';
import { ephemeralPortRange, isAddressInUse, reservePort } from './test-ports.js';

function listenOn(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

describe('reservePort', () => {
  it('hands out distinct ports outside the ephemeral range that a service can then bind', async () => {
    const [low, high] = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => reservePort()));
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port < low || port > high).toBe(true);
      expect(port).toBeGreaterThanOrEqual(20_000);
    }
    const servers = await Promise.all(ports.map((port) => listenOn(port, '0.0.0.0')));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('reads the range the kernel uses for outgoing connections', () => {
    const [low, high] = ephemeralPortRange();
    expect(low).toBeGreaterThan(1023);
    expect(high).toBeGreaterThanOrEqual(low);
    expect(high).toBeLessThanOrEqual(65_535);
  });

  it("recognises a taken port in Node's and in redis-server's words", () => {
    expect(isAddressInUse('outbound: cannot start: listen EADDRINUSE: address already in use 0.0.0.0:21001')).toBe(true);
    expect(isAddressInUse('# Warning: Could not create server TCP listening socket 127.0.0.1:21002: bind: Address already in use')).toBe(true);
    expect(isAddressInUse('outbound: cannot start: Redis at 127.0.0.1:6379 refused the connection')).toBe(false);
  });
});
