import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { OperationsError, type DeadLetters, type DeadLetterSelection } from '@tgg/operations';
import { ALL_QUEUES, type QueueName } from '@tgg/queues';
import { isSameOrigin, SESSION_COOKIE, SESSION_TTL_MS, type OpsActor, type OpsAuth } from './ops-auth.js';
import type { OpsOverview } from './ops-overview.js';
import { confirmPage, loginPage, messagePage, outcomePage, overviewPage, type DeadLetterAction } from './ops-pages.js';

export const OPS_PREFIX = '/ops';
export const BULL_BOARD_PATH = `${OPS_PREFIX}/queues`;

export interface OpsConsoleDeps {
  auth: OpsAuth;
  overview: OpsOverview;
  deadLetters: DeadLetters;
  /** Every product queue (ALL_QUEUES under QUEUE_PREFIX), shown by Bull Board. */
  queues: Queue[];
  logger: Logger;
  now: () => number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Our pages carry no script; Bull Board's UI (its own routes) needs its bundled ones. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Everything under /ops as one encapsulated Fastify plugin, so its onRequest hook guards every
 * route in it — ours, Bull Board's UI and API, and the 404 — before any handler runs. Only the
 * sign-in form is open. State-changing requests must come from this origin (CSRF), and our forms
 * also carry a CSRF token.
 */
export function opsConsolePlugin(deps: OpsConsoleDeps) {
  return async (ops: FastifyInstance): Promise<void> => {
    const actors = new WeakMap<FastifyRequest, OpsActor>();

    ops.addHook('onRequest', async (request, reply) => {
      reply.header('cache-control', 'no-store').header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
      const path = request.url.split('?')[0] ?? '';
      if (path !== `${OPS_PREFIX}/login`) {
        const actor = deps.auth.authenticate(request.headers);
        if (actor === undefined) return unauthorized(request, reply, deps.auth);
        actors.set(request, actor);
      }
      if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request.headers)) {
        deps.logger.warn({ method: request.method, path, ip: request.ip, actor: actors.get(request) }, 'ops console: cross-origin request refused');
        return reply.code(403).type('application/json').send({ error: 'cross_origin', message: 'ops console: state-changing requests must come from the console itself' });
      }
      return undefined; // go on to the route (returning the reply would mean "answered")
    });

    ops.setNotFoundHandler((_request, reply) => reply.code(404).type('application/json').send({ error: 'not_found', message: 'no such ops console page' }));

    ops.get('/login', (_request, reply) => html(reply, 200, loginPage({ token: deps.auth.acceptsToken, basic: deps.auth.acceptsBasic })));

    ops.post('/login', (request, reply) => {
      const fields = formOf(request);
      const actor = deps.auth.login({ token: fields.get('token') ?? undefined, user: fields.get('user') ?? undefined, password: fields.get('password') ?? undefined });
      if (actor === undefined) {
        deps.logger.warn({ ip: request.ip }, 'ops console: sign-in refused');
        return html(reply, 401, loginPage({ token: deps.auth.acceptsToken, basic: deps.auth.acceptsBasic, error: 'Those credentials are not valid.' }));
      }
      deps.logger.info({ actor, ip: request.ip }, 'ops console: signed in');
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header('set-cookie', `${SESSION_COOKIE}=${deps.auth.issueSession(actor)}; Path=${OPS_PREFIX}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure}`);
      return reply.code(303).header('location', OPS_PREFIX).send();
    });

    ops.post('/logout', (request, reply) => {
      const actor = actors.get(request) ?? '';
      if (!deps.auth.checkCsrf(actor, formOf(request).get('csrf') ?? undefined)) return html(reply, 403, messagePage('Refused', 'The form is stale or came from elsewhere: reload the console.'));
      reply.header('set-cookie', `${SESSION_COOKIE}=; Path=${OPS_PREFIX}; HttpOnly; SameSite=Strict; Max-Age=0`);
      return reply.code(303).header('location', `${OPS_PREFIX}/login`).send();
    });

    ops.get('/', async (request, reply) => {
      const actor = actors.get(request) ?? '';
      const data = await deps.overview.read(deps.now());
      return html(reply, 200, overviewPage({ ...data, actor, csrf: deps.auth.csrfToken(actor) }));
    });

    ops.post<{ Params: { action: string } }>('/dead-letters/:action', async (request, reply) => {
      const actor = actors.get(request) ?? '';
      const action = request.params.action;
      if (action !== 'replay' && action !== 'purge') return html(reply, 404, messagePage('Not found', 'no such action'));
      const fields = formOf(request);
      if (!deps.auth.checkCsrf(actor, fields.get('csrf') ?? undefined)) return html(reply, 403, messagePage('Refused', 'The form is stale or came from elsewhere: reload the console.'));
      const selection = selectionOf(fields);
      if (typeof selection === 'string') return html(reply, 400, messagePage('Bad request', selection));
      const described: DeadLetterAction = { action, ...selection };
      if (fields.get('confirm') !== 'yes') {
        const listing = await deps.deadLetters.list({ ...(selection.queue ? { queue: selection.queue } : {}), limit: selection.job ? 10_000 : 50 });
        const letters = selection.job ? listing.letters.filter((letter) => letter.id === selection.job) : listing.letters;
        return html(reply, 200, confirmPage(described, { letters, total: selection.job ? letters.length : listing.total }, deps.auth.csrfToken(actor), deps.now()));
      }
      try {
        const outcome = action === 'replay' ? await deps.deadLetters.replay(selection) : await deps.deadLetters.purge(selection);
        deps.logger.info({ actor, action: `dead-letters.${action}`, queue: selection.queue ?? 'all', job: selection.job, outcome }, `ops console: dead letters ${action === 'replay' ? 'replayed' : 'purged'}`);
        return html(reply, 200, outcomePage(action, outcome));
      } catch (error) {
        if (!(error instanceof OperationsError)) throw error;
        return html(reply, 409, messagePage('Not done', error.message));
      }
    });

    await ops.register(async (board) => {
      // Bull Board's API takes JSON bodies; the services' raw-body parser (useRawBodies) stays everywhere else.
      board.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        try {
          done(null, body === '' ? {} : JSON.parse(body as string));
        } catch (error) {
          done(error as Error, undefined);
        }
      });
      const serverAdapter = new BullBoardAdapter();
      serverAdapter.setBasePath(BULL_BOARD_PATH);
      createBullBoard({
        // Read-only: a replay goes through the bridge view (confirmed, logged with who, fresh delivery horizon).
        queues: deps.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
        serverAdapter,
        options: { uiConfig: { boardTitle: 'tgg queues' } },
      });
      await board.register(serverAdapter.registerPlugin());
    }, { prefix: '/queues' });
  };
}

function unauthorized(request: FastifyRequest, reply: FastifyReply, auth: OpsAuth): FastifyReply {
  reply.header('www-authenticate', auth.acceptsToken ? 'Bearer realm="tgg-ops"' : 'Basic realm="tgg-ops", charset="UTF-8"');
  if ((request.headers.accept ?? '').includes('text/html')) return html(reply, 401, loginPage({ token: auth.acceptsToken, basic: auth.acceptsBasic }));
  return reply.code(401).type('application/json').send({ error: 'unauthorized', message: 'ops console: sign in at /ops/login, or send Authorization: Bearer <OPS_CONSOLE_TOKEN> or basic credentials' });
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(body);
}

/** Form posts arrive as raw bytes (the services' content parser); anything else reads as no fields. */
function formOf(request: FastifyRequest): URLSearchParams {
  const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  return new URLSearchParams(isForm && Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '');
}

/** The dead letters a form names: a known queue, optionally one job of it; an error text otherwise. */
function selectionOf(fields: URLSearchParams): DeadLetterSelection | string {
  const queue = fields.get('queue') || undefined;
  const job = fields.get('job') || undefined;
  if (queue !== undefined && !(ALL_QUEUES as readonly string[]).includes(queue)) return `unknown queue; one of ${ALL_QUEUES.join(', ')}`;
  if (job !== undefined && queue === undefined) return 'a job needs its queue: job ids are per queue';
  if (job !== undefined && job.length > 512) return 'job id too long';
  return { ...(queue === undefined ? {} : { queue: queue as QueueName }), ...(job === undefined ? {} : { job }) };
}
