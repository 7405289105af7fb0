import { OpenOutboundMessage } from '@tgg/contracts';
import fc from 'fast-check';
import { KEYBOARD_ONLY_TEXT, planReply, type ReplyPlan, type SendStep } from './send-plan.js';
import { BUTTON_LABEL_MAX, type PlannedButton } from './keyboard-layout.js';

/** Shapes as in public captures (gildas/go-gcloudcx testdata; see structured-content.ts in @tgg/contracts). */
const quickReply = (text: string, payload = text) => ({ contentType: 'QuickReply', quickReply: { text, payload, action: 'Message' } });
const postback = (text: string, payload = text) => ({ type: 'Postback', text, payload });
const link = (text: string, url: string) => ({ type: 'Link', text, url });

function structured(fields: Record<string, unknown>): OpenOutboundMessage {
  return OpenOutboundMessage.parse({ id: 'g-structured', channel: { to: { id: '7000000001', idType: 'Opaque' } }, type: 'Structured', ...fields });
}

function sendPlanOf(reply: OpenOutboundMessage): Extract<ReplyPlan, { kind: 'send' }> {
  const plan = planReply(reply);
  if (plan.kind !== 'send') throw new Error(`expected a send plan, got ${JSON.stringify(plan)}`);
  return plan;
}

const callback = (label: string, payload = label, type: 'QuickReply' | 'Button' = 'QuickReply'): PlannedButton => ({ kind: 'callback', label, text: label, payload, type });
const urlButton = (label: string, url: string): PlannedButton => ({ kind: 'url', label, url });

describe('planReply: Structured content', () => {
  it('shows quick replies as buttons under the message text, laid out for a phone', () => {
    const plan = sendPlanOf(structured({ text: 'Do you want to proceed?', content: [quickReply('Yes'), quickReply('No'), quickReply('Talk to a human', 'agent')] }));
    expect(plan.steps).toEqual<SendStep[]>([
      { kind: 'text', text: 'Do you want to proceed?', keyboard: [[callback('Yes'), callback('No')], [callback('Talk to a human', 'agent')]] },
    ]);
    expect(plan.degraded).toBeUndefined();
  });

  it('reads contentType in any case', () => {
    const plan = sendPlanOf(structured({ text: 'Ok?', content: [{ contentType: 'quickreply', quickReply: { text: 'Ok', payload: 'ok' } }] }));
    expect(plan.steps).toEqual([{ kind: 'text', text: 'Ok?', keyboard: [[callback('Ok', 'ok')]] }]);
  });

  it('puts the keyboard under the last part of a long text only', () => {
    const text = `${'a '.repeat(1500)}\n\n${'b '.repeat(1500)}`;
    const steps = sendPlanOf(structured({ text, content: [quickReply('Yes')] })).steps;
    expect(steps.map((step) => [step.kind, step.kind === 'text' && step.text.trim().slice(0, 1), step.keyboard])).toEqual([
      ['text', 'a', undefined],
      ['text', 'b', [[callback('Yes')]]],
    ]);
  });

  it('gives quick replies without any text a short prompt (Telegram needs text), and a QuickReplyV2 its title', () => {
    expect(sendPlanOf(structured({ content: [quickReply('Yes')] })).steps).toEqual([{ kind: 'text', text: KEYBOARD_ONLY_TEXT, keyboard: [[callback('Yes')]] }]);
    const v2 = { contentType: 'QuickReplyV2', quickReplyV2: { title: 'Pick a size', actions: [{ text: 'S', payload: 's' }, { text: 'M', payload: 'm' }] } };
    expect(sendPlanOf(structured({ content: [v2] })).steps).toEqual([{ kind: 'text', text: 'Pick a size', keyboard: [[callback('S', 's'), callback('M', 'm')]] }]);
  });

  it('cuts long labels but keeps the full text and a payload of any length for the tap', () => {
    const label = 'Please connect me with somebody from the billing department today';
    const payload = `{"intent":"billing","context":"${'x'.repeat(300)}"}`;
    const [step] = sendPlanOf(structured({ text: 'Options', content: [quickReply(label, payload)] })).steps;
    expect(step?.keyboard).toEqual([[{ kind: 'callback', label: 'Please connect me with somebody from…', text: label, payload, type: 'QuickReply' }]]);
  });

  it('sends a card with an image as the image, title and description as caption, Postback → callback and Link → URL buttons', () => {
    const card = { title: 'Blue shirt', description: 'Cotton, 29 €', image: 'https://shop.example/blue.png', actions: [postback('Buy', 'buy-42'), link('Details', 'https://shop.example/42')] };
    expect(sendPlanOf(structured({ content: [{ contentType: 'Card', card }] })).steps).toEqual<SendStep[]>([
      {
        kind: 'attachment',
        attachment: { mediaType: 'Image', url: 'https://shop.example/blue.png' },
        caption: 'Blue shirt\nCotton, 29 €',
        fallbackText: 'Blue shirt\nCotton, 29 €',
        keyboard: [[callback('Buy', 'buy-42', 'Button'), urlButton('Details', 'https://shop.example/42')]],
      },
    ]);
  });

  it('sends a card without an image as text with its buttons (an empty title as in the public capture)', () => {
    const card = { title: '', description: 'This is a test description', actions: [link('This is a link action', 'http://www.acme.com')] };
    expect(sendPlanOf(structured({ content: [{ contentType: 'Card', card }] })).steps).toEqual([
      { kind: 'text', text: 'This is a test description', keyboard: [[urlButton('This is a link action', 'http://www.acme.com')]] },
    ]);
  });

  it('adds a card default action as a button unless it repeats one of the actions', () => {
    const card = { title: 'Shoes', actions: [postback('Buy')], defaultAction: { type: 'Link', url: 'https://shop.example/shoes' } };
    const [step] = sendPlanOf(structured({ content: [{ contentType: 'Card', card }] })).steps;
    expect(step?.keyboard).toEqual([[callback('Buy', 'Buy', 'Button'), urlButton('shop.example', 'https://shop.example/shoes')]]);
    const repeated = { title: 'Shoes', actions: [postback('Buy')], defaultAction: postback('Buy') };
    expect(sendPlanOf(structured({ content: [{ contentType: 'Card', card: repeated }] })).steps[0]?.keyboard).toEqual([[callback('Buy', 'Buy', 'Button')]]);
  });

  it('puts a card text that does not fit a caption after the image, the buttons under its last part', () => {
    const description = 'word '.repeat(300);
    const steps = sendPlanOf(structured({ content: [{ contentType: 'Card', card: { title: 'Long', description, image: 'https://x.example/a.png', actions: [postback('Ok')] } }] })).steps;
    expect(steps.map((step) => [step.kind, step.keyboard !== undefined])).toEqual([
      ['attachment', false],
      ['text', true],
    ]);
    const [photo] = steps;
    expect(photo?.kind === 'attachment' && photo.caption?.length).toBeLessThanOrEqual(1024);
  });

  it('sends a carousel as its cards in order, after the message text; a video card as a video', () => {
    const carousel = {
      cards: [
        { title: 'Card 1', image: 'https://www.acme.com/image1.png', actions: [postback('Option1'), link('Option3', 'https://www.acme.com/option3')] },
        { title: 'Card 2', description: 'Description 2', actions: [postback('Option4')] },
        { title: 'Card 3', video: 'https://www.acme.com/video3.mp4', actions: [postback('Option7')] },
      ],
    };
    const steps = sendPlanOf(structured({ text: 'Our offers', content: [{ contentType: 'Carousel', carousel }] })).steps;
    expect(steps.map((step) => (step.kind === 'text' ? step.text : `${step.attachment.mediaType} ${step.attachment.url} ${step.caption}`))).toEqual([
      'Our offers',
      'Image https://www.acme.com/image1.png Card 1',
      'Card 2\nDescription 2',
      'Video https://www.acme.com/video3.mp4 Card 3',
    ]);
    expect(steps[0]).not.toHaveProperty('keyboard');
    expect(steps.slice(1).map((step) => step.keyboard?.flat().map((button) => button.label))).toEqual([['Option1', 'Option3'], ['Option4'], ['Option7']]);
  });

  it('shows a date picker as its dates in text and reports it as degraded', () => {
    const datePicker = { title: 'When would you be available?', subtitle: 'Pick a date and time', availableTimes: [{ duration: 1800, dateTime: '2025-05-30T12:00:00Z' }, { duration: 900, dateTime: '2025-06-30T13:00:00Z' }] };
    const plan = sendPlanOf(structured({ content: [{ contentType: 'DatePicker', datePicker }] }));
    expect(plan.steps).toEqual([
      {
        kind: 'text',
        text: 'When would you be available?\nPick a date and time\n• 2025-05-30 12:00 UTC (30 min)\n• 2025-06-30 13:00 UTC (15 min)\nPlease reply with the date that suits you.',
      },
    ]);
    expect(plan.degraded).toEqual({ code: 'UnsupportedMessage', message: 'shown differently in Telegram: DatePicker shown as a list of its dates (Telegram has no date picker)' });
  });

  it('shows a notification template with parameters as its text once, and reports it as degraded', () => {
    const template = { header: { text: 'Hello' }, body: { text: 'Hi Happy, How can I help you?', parameters: [{ name: 'name', text: 'Happy' }] }, footer: { text: 'Goodbye' } };
    const plan = sendPlanOf(structured({ text: 'Hi Happy, How can I help you?', content: [{ contentType: 'Notification', template }] }));
    expect(plan.steps).toEqual([{ kind: 'text', text: 'Hello\nHi Happy, How can I help you?\nGoodbye' }]);
    expect(plan.degraded?.message).toContain('Notification template: parameters filled in as text');
  });

  it('fills placeholders a notification body still has, and lists its buttons', () => {
    const template = { body: { text: 'Order {{1}} ships on {{date}}', parameters: [{ text: 'A-17' }, { name: 'date', text: 'Monday' }] }, buttons: [{ type: 'Url', text: 'Track', url: 'https://t.example/A-17', index: 0 }] };
    const plan = sendPlanOf(structured({ content: [{ contentType: 'Notification', template }] }));
    expect(plan.steps).toEqual([{ kind: 'text', text: 'Order A-17 ships on Monday\n• Track: https://t.example/A-17' }]);
    expect(plan.degraded?.message).toContain('buttons listed as text');
  });

  it('shows an unknown type with a list of options as a readable list, and reports it', () => {
    const listPicker = { sections: [{ title: 'Fruit', items: [{ title: 'Apple' }, { title: 'Pear', subtitle: 'ripe' }] }] };
    const plan = sendPlanOf(structured({ text: 'Pick one', content: [{ contentType: 'ListPicker', listPicker }] }));
    expect(plan.steps).toEqual([{ kind: 'text', text: 'Pick one\n\n• Fruit\n• Apple\n• Pear' }]);
    expect(plan.degraded?.message).toBe('shown differently in Telegram: ListPicker content cannot be shown in Telegram and was sent as text');
  });

  it('lists a Link action whose URL Telegram would refuse as text', () => {
    const card = { title: 'Call us', actions: [link('Phone', 'tel:+3312345678'), { type: 'Link', text: 'No URL' }, postback('Ok')] };
    const plan = sendPlanOf(structured({ content: [{ contentType: 'Card', card }] }));
    expect(plan.steps).toEqual([{ kind: 'text', text: 'Call us\n• Phone: tel:+3312345678\n• No URL', keyboard: [[callback('Ok', 'Ok', 'Button')]] }]);
    expect(plan.degraded?.message).toContain('a card action of type Link was shown as text');
  });

  it('falls back to the text when the structured content is empty', () => {
    const plan = sendPlanOf(structured({ text: 'Just text', content: [] }));
    expect(plan).toEqual({ kind: 'send', steps: [{ kind: 'text', text: 'Just text' }] });
    expect(sendPlanOf(structured({ text: 'No content at all' })).steps).toEqual([{ kind: 'text', text: 'No content at all' }]);
  });

  it('reports a structured message with nothing Telegram can show as unsupported (Failed receipt)', () => {
    expect(planReply(structured({ content: [{ contentType: 'Payment', payment: { amount: 3 } }] }))).toEqual({
      kind: 'unsupported',
      code: 'UnsupportedMessage',
      message: 'shown differently in Telegram: Payment content cannot be shown in Telegram and was left out',
    });
  });

  it('leaves out quick replies it cannot use, and says so', () => {
    const plan = sendPlanOf(structured({ text: 'Hm', content: [quickReply('Yes'), { contentType: 'QuickReply', quickReply: { text: ' ', payload: '' } }] }));
    expect(plan.steps).toEqual([{ kind: 'text', text: 'Hm', keyboard: [[callback('Yes')]] }]);
    expect(plan.degraded?.message).toContain('a QuickReply without text or payload was left out');
  });

  it('never throws on whatever content Genesys (or a forger with the secret) sends, and every step is sendable', () => {
    const contentType = fc.constantFrom('QuickReply', 'quickreply', 'QuickReplyV2', 'Card', 'Carousel', 'DatePicker', 'Notification', 'ListPicker', 'Attachment', 'Whatever');
    const anyBody = fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('text', 'payload', 'title', 'description', 'image', 'video', 'url', 'type', 'actions', 'cards', 'availableTimes', 'body', 'parameters', 'buttons', 'header', 'footer', 'dateTime', 'duration'), fc.anything()));
    const item = fc.record({ contentType, quickReply: anyBody, quickReplyV2: anyBody, card: anyBody, carousel: anyBody, datePicker: anyBody, template: anyBody, listPicker: anyBody }, { requiredKeys: ['contentType'] });
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.array(item, { maxLength: 6 }), (text, content) => {
        const parsed = OpenOutboundMessage.safeParse({ id: 'g', channel: { to: { id: '1' } }, type: 'Structured', ...(text === undefined ? {} : { text }), content });
        if (!parsed.success) return;
        const plan = planReply(parsed.data);
        if (plan.kind !== 'send') return expect(plan.kind).toBe('unsupported');
        for (const step of plan.steps) {
          if (step.kind === 'text') expect(step.text.trim()).not.toBe('');
          for (const button of step.keyboard?.flat() ?? []) {
            expect(button.label.trim()).not.toBe('');
            expect([...new Intl.Segmenter().segment(button.label)].length).toBeLessThanOrEqual(BUTTON_LABEL_MAX);
            if (button.kind === 'callback') expect(typeof button.payload).toBe('string');
            else expect(new URL(button.url).protocol).toMatch(/^https?:$/);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
