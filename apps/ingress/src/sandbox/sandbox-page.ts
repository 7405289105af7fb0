/**
 * The sandbox console: the customer's Telegram chat on the left, the agent's Genesys view on the
 * right. Everything goes through the real path (webhook → queues → Genesys emulator, and signed
 * outbound webhook → Telegram emulator); this page only drives the emulators and polls their state.
 */
export const SANDBOX_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Telegram ↔ Genesys sandbox</title>
<style>
  body { font: 15px system-ui, sans-serif; margin: 0; background: #eef1f5; color: #1d2330; }
  header { padding: 12px 20px; background: #1d2330; color: #fff; }
  header small { opacity: .7; margin-left: 8px; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 16px; }
  section { background: #fff; border-radius: 10px; display: flex; flex-direction: column; height: calc(100vh - 110px); }
  h2 { margin: 0; padding: 12px 16px; font-size: 16px; border-bottom: 1px solid #e3e6ec; }
  .log { flex: 1; overflow-y: auto; padding: 12px 16px; display: flex; flex-direction: column; gap: 6px; }
  .bubble { max-width: 75%; padding: 7px 11px; border-radius: 12px; white-space: pre-wrap; word-break: break-word; }
  .mine { align-self: flex-end; background: #d7f0ff; }
  .theirs { align-self: flex-start; background: #f0f0f3; }
  .meta { font-size: 11px; opacity: .6; }
  form { display: flex; gap: 8px; padding: 12px 16px; border-top: 1px solid #e3e6ec; }
  input { flex: 1; padding: 8px 10px; border: 1px solid #c9ced8; border-radius: 8px; font: inherit; }
  button { padding: 8px 14px; border: 0; border-radius: 8px; background: #2b7de9; color: #fff; font: inherit; cursor: pointer; }
  .status { padding: 0 16px 8px; font-size: 12px; color: #a33; min-height: 16px; }
  .keyboard { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 6px; }
  .keyboard button { background: #fff; color: #2b7de9; border: 1px solid #2b7de9; padding: 4px 10px; }
  #agent-options { flex: .6; }
</style>
</head>
<body>
<header>Telegram ↔ Genesys Cloud bridge <small>sandbox: emulated Telegram and Genesys, real bridge in between</small></header>
<main>
  <section aria-label="customer">
    <h2>Customer — Telegram chat with the bot</h2>
    <div class="log" id="customer-log"></div>
    <div class="status" id="customer-status"></div>
    <form id="customer-form"><input id="customer-input" placeholder="Write to the bot as the customer…" autocomplete="off"><button>Send</button></form>
  </section>
  <section aria-label="agent">
    <h2>Agent — Genesys Cloud conversation</h2>
    <div class="log" id="agent-log"></div>
    <div class="status" id="agent-status"></div>
    <form id="agent-form"><input id="agent-input" placeholder="Reply as the agent…" autocomplete="off"><input id="agent-options" placeholder="Quick replies: Yes, No (optional)" autocomplete="off"><button>Reply</button></form>
  </section>
</main>
<script>
const chatId = '7000000001';
const byId = (id) => document.getElementById(id);
function bubble(text, mine, meta) {
  const div = document.createElement('div');
  div.className = 'bubble ' + (mine ? 'mine' : 'theirs');
  div.textContent = text;
  if (meta) { const m = document.createElement('div'); m.className = 'meta'; m.textContent = meta; div.appendChild(m); }
  return div;
}
// A bot message's inline keyboard: one button per option; a tap is the customer's answer.
function keyboard(message) {
  const div = document.createElement('div');
  div.className = 'keyboard';
  for (const row of message.keyboard) for (const key of row) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = key.text;
    if (key.callbackData) button.addEventListener('click', () => post('/sandbox/api/tap', { chatId, messageId: message.messageId, callbackData: key.callbackData }, 'customer-status').then(refresh));
    div.appendChild(button);
  }
  return div;
}
function quickReplyLabels(message) {
  return (message.structured || []).filter((item) => item.quickReply).map((item) => item.quickReply.text);
}
function render(log, items) {
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  log.replaceChildren(...items);
  if (atBottom) log.scrollTop = log.scrollHeight;
}
async function refresh() {
  try {
    const state = await (await fetch('/sandbox/api/state')).json();
    const chat = (state.customerChats || []).find((c) => c.chatId === chatId);
    render(byId('customer-log'), (chat ? chat.messages : []).map((m) => {
      const div = bubble(m.text || m.caption || ('[' + m.kind + (m.fileName ? ': ' + m.fileName : '') + ']'), m.sender === 'user');
      if (m.keyboard) div.appendChild(keyboard(m));
      return div;
    }));
    const conversation = (state.agentConversations || []).find((c) => c.customerId === chatId);
    render(byId('agent-log'), (conversation ? conversation.messages : []).map((m) =>
      bubble([m.text || m.attachments.map((a) => '[' + a.mediaType + '] ' + (a.filename || a.url)).join('\\n') || '[empty]',
        ...(quickReplyLabels(m).length ? ['[ ' + quickReplyLabels(m).join(' | ') + ' ]'] : [])].join('\\n'),
        m.direction === 'Outbound', m.direction === 'Outbound' && m.receipt ? m.receipt.status : undefined)));
  } catch (error) { byId('agent-status').textContent = 'cannot reach the sandbox: ' + error.message; }
}
async function post(path, body, statusId) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const result = await response.json();
  byId(statusId).textContent = response.ok ? '' : (result.message || 'failed');
}
byId('customer-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId('customer-input'); const text = input.value; input.value = '';
  await post('/sandbox/api/customer', { chatId, text }, 'customer-status'); refresh();
});
byId('agent-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId('agent-input'); const text = input.value; input.value = '';
  const optionsInput = byId('agent-options');
  const options = optionsInput.value.split(',').map((label) => label.trim()).filter(Boolean); optionsInput.value = '';
  await post('/sandbox/api/agent', { customerId: chatId, text, ...(options.length ? { options } : {}) }, 'agent-status'); refresh();
});
refresh();
setInterval(refresh, 700);
</script>
</body>
</html>`;
