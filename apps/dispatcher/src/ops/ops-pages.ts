import type { HeldChat } from '@tgg/chat-turns';
import type { BlockedChat } from '@tgg/data';
import { describeAge, grafanaTraceUrl, type DeadLetter, type DeadLetterListing, type DeadLetterOutcome } from '@tgg/operations';

/**
 * The bridge view of the ops console: server-rendered HTML, every dynamic value escaped, no
 * scripts, no secrets (channel checks name URLs and ids only). Forms post back with the CSRF token.
 */

export type CheckLevel = 'ok' | 'warn' | 'fail';
export interface CheckLine {
  level: CheckLevel;
  text: string;
  fix?: string;
}
export interface CheckSection {
  title: string;
  lines: CheckLine[];
}

export interface HeldChats {
  pipeline: 'inbound' | 'outbound';
  chats: HeldChat[];
}

export interface OverviewData {
  actor: string;
  csrf: string;
  nowMs: number;
  health: CheckSection[];
  held: HeldChats[];
  blocked: BlockedChat[];
  deadLetters: DeadLetterListing;
  grafanaUrl?: string;
}

/** The action a confirmation page asks about, and what it applies to. */
export interface DeadLetterAction {
  action: 'replay' | 'purge';
  queue?: string;
  job?: string;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}.ok{color:#176d2c}.warn{color:#9a6700}.fail{color:#b3261e}
.fix{color:#555;font-size:12px}form.inline{display:inline}nav a{margin-right:1em}button{cursor:pointer}`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function loginPage(options: { token: boolean; basic: boolean; error?: string }): string {
  const fields = [
    options.token ? '<label>Token <input type="password" name="token" autocomplete="off"></label>' : '',
    options.basic ? '<label>User <input name="user" autocomplete="username"></label> <label>Password <input type="password" name="password" autocomplete="current-password"></label>' : '',
  ].filter(Boolean);
  return page(
    'Ops console — sign in',
    `<h1>Ops console</h1>${options.error ? `<p class="fail">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/ops/login">${fields.join('<br>or<br>')}<br><button type="submit">Sign in</button></form>`,
  );
}

export function overviewPage(data: OverviewData): string {
  const body = [
    `<h1>Ops console</h1><nav><a href="/ops">bridge</a><a href="/ops/queues">queues (Bull Board)</a>
<form class="inline" method="post" action="/ops/logout">${csrfField(data.csrf)}<button type="submit">Sign out (${escapeHtml(data.actor)})</button></form></nav>`,
    '<h2>Channels and dependencies</h2>',
    data.health.map(renderSection).join(''),
    '<h2>Chats held</h2>',
    data.held.map((held) => renderHeld(held, data.nowMs)).join(''),
    renderBlocked(data.blocked),
    `<h2>Dead letters (${data.deadLetters.total})</h2>`,
    renderDeadLetters(data),
  ];
  return page('Ops console', body.join('\n'));
}

export function confirmPage(action: DeadLetterAction, preview: { letters: DeadLetter[]; total: number }, csrf: string, nowMs: number): string {
  const what = action.job ? `job ${action.job} of ${action.queue ?? '?'}` : action.queue ? `every dead letter of ${action.queue}` : 'every dead letter of every queue';
  const effect =
    action.action === 'replay'
      ? 'They go back to their queue oldest first, with a fresh delivery horizon; a replayed message arrives after later ones of its chat.'
      : 'They and their payloads are deleted for good.';
  return page(
    `Confirm ${action.action}`,
    `<h1>${action.action === 'replay' ? 'Replay' : 'Purge'} ${escapeHtml(what)}?</h1><p>${preview.total} dead letter(s) now. ${effect}</p>
${deadLetterTable(preview.letters, undefined, nowMs)}
<form method="post" action="/ops/dead-letters/${action.action}">${csrfField(csrf)}${hidden('queue', action.queue)}${hidden('job', action.job)}<input type="hidden" name="confirm" value="yes">
<button type="submit">Confirm ${action.action}</button></form> <a href="/ops">Cancel</a>`,
  );
}

export function outcomePage(action: DeadLetterAction['action'], outcome: DeadLetterOutcome): string {
  const verb = action === 'replay' ? 'moved back to waiting' : 'deleted';
  const lines = outcome.map(({ queue, count }) => `<li>${escapeHtml(queue)}: ${count} ${verb}</li>`).join('');
  const total = outcome.reduce((sum, { count }) => sum + count, 0);
  return page(`Dead letters ${action === 'replay' ? 'replayed' : 'purged'}`, `<h1>${total} dead letter(s) ${verb}</h1><ul>${lines}</ul><p><a href="/ops">Back</a></p>`);
}

export function messagePage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><a href="/ops">Back</a></p>`);
}

function renderSection(section: CheckSection): string {
  const lines = section.lines
    .map((line) => `<li class="${line.level}">${SYMBOL[line.level]} ${escapeHtml(line.text)}${line.fix ? `<div class="fix">fix: ${escapeHtml(line.fix)}</div>` : ''}</li>`)
    .join('');
  return `<h3>${escapeHtml(section.title)}</h3><ul>${lines}</ul>`;
}

const SYMBOL: Record<CheckLevel, string> = { ok: '✓', warn: '!', fail: '✗' };

function renderHeld(held: HeldChats, nowMs: number): string {
  const title = held.pipeline === 'inbound' ? 'Customer messages (sequencer → dispatcher)' : 'Agent replies (reply intake → Telegram sender)';
  if (held.chats.length === 0) return `<h3>${title}</h3><p>none</p>`;
  const rows = held.chats.map(
    (chat) =>
      `<tr><td>${escapeHtml(chat.chatRef)}</td><td>${chat.inflight ? escapeHtml(chat.inflight) : '-'}</td><td>${chat.waiting}</td><td>${chat.inReorderWindow}</td><td>${chat.incoming}</td><td>${escapeHtml(relative(chat.nextLookMs, nowMs))}</td></tr>`,
  );
  return `<h3>${title}</h3><table><tr><th>chat (channel:id)</th><th>turn in flight</th><th>waiting on the turn</th><th>in reorder window</th><th>incoming (gate)</th><th>next look</th></tr>${rows.join('')}</table>`;
}

function renderBlocked(blocked: BlockedChat[]): string {
  if (blocked.length === 0) return '<h3>Blocked by the customer</h3><p>none</p>';
  const rows = blocked.map((chat) => `<tr><td>${escapeHtml(chat.channel)}</td><td>${escapeHtml(chat.chatId)}</td><td>${chat.blockedAt ? escapeHtml(chat.blockedAt.toISOString()) : '-'}</td></tr>`);
  return `<h3>Blocked by the customer</h3><table><tr><th>channel</th><th>chat</th><th>blocked at</th></tr>${rows.join('')}</table>`;
}

function renderDeadLetters(data: OverviewData): string {
  if (data.deadLetters.total === 0) return '<p>none</p>';
  const all = `<p>${actionForm('replay', data.csrf, {}, 'Replay all')} ${actionForm('purge', data.csrf, {}, 'Purge all')}</p>`;
  return `${all}${deadLetterTable(data.deadLetters.letters, data, data.nowMs)}`;
}

function deadLetterTable(letters: DeadLetter[], actions: { csrf: string; grafanaUrl?: string } | undefined, nowMs: number): string {
  const rows = letters.map((letter) => {
    const age = letter.failedAtMs === undefined ? '-' : `${describeAge(nowMs - letter.failedAtMs)} ago`;
    const trace = letter.traceId === undefined ? '-' : actions?.grafanaUrl ? `<a href="${escapeHtml(grafanaTraceUrl(actions.grafanaUrl, letter.traceId))}">${escapeHtml(letter.traceId)}</a>` : escapeHtml(letter.traceId);
    const buttons = actions
      ? `<td>${actionForm('replay', actions.csrf, { queue: letter.queue, job: letter.id }, 'Replay')} ${actionForm('purge', actions.csrf, { queue: letter.queue, job: letter.id }, 'Purge')}</td>`
      : '';
    const chat = letter.chatId === undefined ? '-' : `${letter.channel ?? '?'}:${letter.chatId}`;
    return `<tr class="dead-letter"><td>${escapeHtml(letter.queue)}</td><td>${escapeHtml(letter.id)}</td><td>${escapeHtml(chat)}</td><td>${escapeHtml(letter.reason)}</td><td>${escapeHtml(age)}</td><td>${letter.attemptsMade}/${letter.maxAttempts}</td><td>${trace}</td>${buttons}</tr>`;
  });
  const actionHeader = actions ? '<th></th>' : '';
  return `<table><tr><th>queue</th><th>job</th><th>chat</th><th>reason</th><th>failed</th><th>attempts</th><th>trace</th>${actionHeader}</tr>${rows.join('')}</table>`;
}

function actionForm(action: 'replay' | 'purge', csrf: string, selection: { queue?: string; job?: string }, label: string): string {
  return `<form class="inline" method="post" action="/ops/dead-letters/${action}">${csrfField(csrf)}${hidden('queue', selection.queue)}${hidden('job', selection.job)}<button type="submit">${escapeHtml(label)}</button></form>`;
}

function csrfField(csrf: string): string {
  return hidden('csrf', csrf);
}

function hidden(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

function relative(atMs: number, nowMs: number): string {
  return atMs <= nowMs ? `due ${describeAge(nowMs - atMs)} ago` : `in ${describeAge(atMs - nowMs)}`;
}
