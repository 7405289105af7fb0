import type pg from 'pg';
import { BridgeHarness, eventually, type BridgeHarnessOptions } from '@tgg/testing';
import { connectDb, mappings } from './bridge-ops.js';
import { AgentSide, SteadyLoad, TelegramSide } from './far-sides.js';

/**
 * The set-up the two-way chaos scenarios share: the four services, the far sides with chats that
 * agents may answer, slow emulators and steady load both ways. Each scenario adds its fault.
 */

/** Per chat: every chat writes this often (10 chats: 20 messages/s in all)… */
export const CUSTOMER_INTERVAL_MS = 500;
/** …and its agent replies this often (10 chats: 10 replies/s in all). */
export const AGENT_INTERVAL_MS = 1000;
/** How late each emulator answers under slowFarSides, so requests are in flight at a fault. */
export const FAR_SIDE_STALL_MS = { genesys: 150, telegram: 100 } as const;

/**
 * The four services with a short reorder window and outbound limits above the load, plus a direct
 * database connection; `options` (env too) override those defaults.
 */
export async function startLoadedBridge(options: BridgeHarnessOptions = {}): Promise<{ bridge: BridgeHarness; db: pg.Client }> {
  const bridge = await BridgeHarness.start({
    services: ['ingress', 'sequencer', 'dispatcher', 'outbound'],
    windowMs: 300,
    ...options,
    env: { OUTBOUND_PER_CHAT_PER_S: '5', OUTBOUND_GLOBAL_PER_S: '100', ...options.env },
  });
  try {
    return { bridge, db: await connectDb(bridge) };
  } catch (error) {
    await bridge.stop();
    throw error;
  }
}

/**
 * Customers and agents of `chats`, ready for two-way load: agents can answer only chats that wrote
 * first, so each chat writes one message and its mapping is written before this resolves.
 */
export async function twoWaySides(
  bridge: BridgeHarness,
  db: pg.Client,
  chats: readonly string[],
  customerOptions: ConstructorParameters<typeof TelegramSide>[1] = {},
): Promise<{ customers: TelegramSide; agents: AgentSide }> {
  const customers = new TelegramSide(bridge, customerOptions);
  const agents = new AgentSide(bridge);
  await Promise.all(chats.map((chatId) => customers.say(chatId)));
  await eventually(async () => expect((await mappings(db, chats)).size).toBe(chats.length), 20_000, 100);
  return { customers, agents };
}

/** Genesys and Telegram answer every message a little late (FAR_SIDE_STALL_MS) until the test ends. */
export function slowFarSides(bridge: BridgeHarness): void {
  bridge.genesys.stall('message', FAR_SIDE_STALL_MS.genesys, 1_000_000);
  bridge.telegram.stall('sendMessage', FAR_SIDE_STALL_MS.telegram, 1_000_000);
}

/** Every chat writes every CUSTOMER_INTERVAL_MS and gets a reply every AGENT_INTERVAL_MS, until stop(). */
export class TwoWayLoad {
  readonly startedAtMs = Date.now();
  private readonly inbound: SteadyLoad;
  private readonly outbound: SteadyLoad;

  constructor(customers: TelegramSide, agents: AgentSide, chats: readonly string[]) {
    this.inbound = new SteadyLoad(chats, CUSTOMER_INTERVAL_MS, (chatId) => customers.say(chatId));
    this.outbound = new SteadyLoad(chats, AGENT_INTERVAL_MS, (chatId) => agents.reply(chatId));
  }

  /** Stops both directions once each chat's current message is acknowledged. */
  async stop(): Promise<void> {
    await Promise.all([this.inbound.stop(), this.outbound.stop()]);
  }
}
