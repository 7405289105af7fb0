import { OpenOutboundMessage, type OutboundAttachment } from '@tgg/contracts';
import fc from 'fast-check';
import { planReply, type SendStep } from './send-plan.js';

const pdf: OutboundAttachment = { mediaType: 'File', url: 'https://api-downloads.example/api/v2/downloads/1', mime: 'application/pdf', filename: 'invoice.pdf' };
const photo: OutboundAttachment = { mediaType: 'Image', url: 'https://api-downloads.example/api/v2/downloads/2', mime: 'image/png' };

function aReply(fields: Record<string, unknown>): OpenOutboundMessage {
  return OpenOutboundMessage.parse({ id: 'g1', channel: { to: { id: '7000000001', idType: 'Opaque' } }, type: 'Text', ...fields });
}

function stepsOf(reply: OpenOutboundMessage): SendStep[] {
  const plan = planReply(reply);
  if (plan.kind !== 'send') throw new Error(`expected a send plan, got ${plan.kind}`);
  return plan.steps;
}

describe('planReply', () => {
  it('sends a short text as one message', () => {
    expect(stepsOf(aReply({ text: 'Hi Ana' }))).toEqual([{ kind: 'text', text: 'Hi Ana' }]);
  });

  it('splits long text into ≤ 4096 parts that keep every non-blank character, dropping blank parts', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 300 }), fc.constant('\n\n'), fc.constant(' '.repeat(5000))), { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        const plan = planReply(aReply({ text }));
        if (text.trim() === '') return expect(plan.kind).toBe('unsupported');
        const parts = stepsOf(aReply({ text })).map((step) => (step.kind === 'text' ? step.text : ''));
        for (const part of parts) {
          expect(part.length).toBeLessThanOrEqual(4096);
          expect(part.trim()).not.toBe('');
        }
        expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
    );
  });

  it('puts the first 1024 characters of the text on the first file as its caption and the rest after the files', () => {
    const text = `${'a'.repeat(1000)} ${'b'.repeat(3000)}`;
    const steps = stepsOf(aReply({ text, content: [{ contentType: 'Attachment', attachment: photo }, { contentType: 'Attachment', attachment: pdf }] }));
    expect(steps.map((step) => step.kind)).toEqual(['attachment', 'attachment', 'text']);
    expect(steps[0]).toMatchObject({ attachment: photo, caption: `${'a'.repeat(1000)} ` });
    expect(steps[1]).toEqual({ kind: 'attachment', attachment: pdf });
    expect(steps[2]).toEqual({ kind: 'text', text: 'b'.repeat(3000) });
  });

  it('sends an attachment without text with no caption, and a Link attachment as its URL', () => {
    const link: OutboundAttachment = { mediaType: 'Link', url: 'https://help.example.com/reset' };
    expect(stepsOf(aReply({ content: [{ contentType: 'Attachment', attachment: pdf }, { contentType: 'Attachment', attachment: link }] }))).toEqual([
      { kind: 'attachment', attachment: pdf },
      { kind: 'text', text: 'https://help.example.com/reset' },
    ]);
  });

  it('maps typing events to typing, typing off and other events to nothing', () => {
    expect(planReply(aReply({ type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On', duration: 3000 } }] }))).toEqual({ kind: 'typing', durationMs: 3000 });
    expect(planReply(aReply({ type: 'event', events: [{ eventType: 'typing' }] }))).toEqual({ kind: 'typing', durationMs: 5000 });
    expect(planReply(aReply({ type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'Off' } }] })).kind).toBe('ignore');
    expect(planReply(aReply({ type: 'Event', events: [{ eventType: 'Presence' }] })).kind).toBe('ignore');
  });

  it('reports what Telegram cannot show', () => {
    expect(planReply(aReply({ text: '  \n ' }))).toMatchObject({ kind: 'unsupported', code: 'InvalidMessageStructure' });
    expect(planReply(aReply({ type: 'Structured', content: [{ contentType: 'Carousel' }] }))).toMatchObject({ kind: 'unsupported', code: 'UnsupportedMessage' });
    expect(stepsOf(aReply({ type: 'Structured', text: 'Pick one', content: [{ contentType: 'QuickReply' }] }))).toEqual([{ kind: 'text', text: 'Pick one' }]);
  });
});
