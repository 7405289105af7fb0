import type { GenesysCard, GenesysCardAction, GenesysDatePicker, GenesysNotificationTemplate } from '@tgg/contracts';

/**
 * `content[]` items of outbound `Structured` messages as bot flows send them, in the shapes of
 * public captures (https://github.com/gildas/go-gcloudcx/tree/master/testdata,
 * normalized-message-structured-*.json and openmessaging-outbound-notification.json; field notes
 * in @tgg/contracts structured-content.ts). Tests and the sandbox pass them as `content` of a
 * `type: 'Structured'` agent message.
 */
export type StructuredContentItem = Record<string, unknown> & { contentType: string };

/** One `QuickReply` item per option, `action: "Message"` as Genesys sends it. */
export function quickReplies(...options: (string | { text: string; payload: string })[]): StructuredContentItem[] {
  return options.map((option) => {
    const { text, payload } = typeof option === 'string' ? { text: option, payload: option } : option;
    return { contentType: 'QuickReply', quickReply: { text, payload, action: 'Message' } };
  });
}

export function postbackAction(text: string, payload = text): GenesysCardAction {
  return { type: 'Postback', text, payload };
}

export function linkAction(text: string, url: string): GenesysCardAction {
  return { type: 'Link', text, url };
}

export type CardInput = { title: string; description?: string; image?: string; video?: string; actions: GenesysCardAction[]; defaultAction?: GenesysCardAction };

export function cardContent(card: CardInput): StructuredContentItem {
  return { contentType: 'Card', card: card satisfies GenesysCard };
}

export function carouselContent(cards: CardInput[]): StructuredContentItem {
  return { contentType: 'Carousel', carousel: { cards } };
}

export function datePickerContent(datePicker: GenesysDatePicker & { availableTimes: { dateTime: string; duration: number }[] }): StructuredContentItem {
  return { contentType: 'DatePicker', datePicker };
}

export function notificationContent(template: GenesysNotificationTemplate): StructuredContentItem {
  return { contentType: 'Notification', template };
}
