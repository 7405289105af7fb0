import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Ports for services a test starts itself, chosen so they never collide.
 *
 * The usual trick — listen(0), read the port, close, let the service bind it later — is racy: a
 * port from listen(0) is an *ephemeral* port, and any outgoing connection (Postgres, Redis, fetch)
 * made meanwhile can be given that very port as its local end, so the service then fails with
 * EADDRINUSE. So test ports come from outside the kernel's ephemeral range (read from
 * /proc/sys/net/ipv4/ip_local_port_range at run time), which outgoing connections never use; each
 * Jest worker gets its own slice of that pool (by JEST_WORKER_ID), starts at a random place in it
 * (other checkouts may run Jest at the same time), and probes a port before handing it out, which
 * skips local services (Postgres, Redis, brokers …). What is left — another process binding the port
 * between the probe and the service — is handled by whoever starts the service: on EADDRINUSE it
 * asks for another port and starts again (BridgeHarness does; see `isAddressInUse`).
 */

/** Below this, ports belong to well-known and commonly configured services. */
const POOL_START = 20_000;
const POOL_END = 65_535;
/** The pool is dealt to this many Jest workers (more workers share slices, which the probe covers). */
const SLICES = 16;
/** Where /proc is missing (not Linux): Linux' default range and the IANA one (49152–65535) together. */
const FALLBACK_EPHEMERAL: readonly [number, number] = [32_768, 65_535];

const handedOut = new Set<number>();

/** The kernel's range of local ports for outgoing connections. */
export function ephemeralPortRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low <= high) return [low, high];
  } catch {
    // not Linux
  }
  return FALLBACK_EPHEMERAL;
}

/** The ports this process's slice may hand out, in order. */
function slicePool(): number[] {
  const [low, high] = ephemeralPortRange();
  const pool: number[] = [];
  for (let port = POOL_START; port <= POOL_END; port++) if (port < low || port > high) pool.push(port);
  if (pool.length === 0) throw new Error(`no test ports: the ephemeral range ${low}–${high} covers ${POOL_START}–${POOL_END}`);
  const worker = Number(process.env['JEST_WORKER_ID']);
  const slice = (Number.isInteger(worker) && worker > 0 ? worker : process.pid) % SLICES;
  const mine = pool.filter((_, index) => index % SLICES === slice);
  return mine.length > 0 ? mine : pool;
}

/** A port nothing listens on now, outside the ephemeral range, never handed out before by this process. */
export async function reservePort(): Promise<number> {
  const pool = slicePool();
  const start = Math.floor(Math.random() * pool.length);
  for (let step = 0; step < pool.length; step++) {
    const port = pool[(start + step) % pool.length];
    if (port === undefined || handedOut.has(port)) continue;
    if (await isFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free test port among ${pool.length} candidates`);
}

/** Whether a process's output says it could not listen because its port was taken. */
export function isAddressInUse(output: string): boolean {
  return output.includes('EADDRINUSE') || /address already in use/i.test(output);
}

/** Probed on the wildcard address (what the services bind) and on loopback (what emulators bind). */
async function isFree(port: number): Promise<boolean> {
  return (await canListen(port, '0.0.0.0')) && (await canListen(port, '127.0.0.1')) && (await canListen(port, '::'));
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
