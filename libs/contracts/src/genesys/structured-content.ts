import { z } from 'zod';

/**
 * The `content[]` items of a Genesys outbound `type: "Structured"` message (bot flows and agents:
 * quick replies, cards, carousels, date pickers, notification templates).
 *
 * What the public sources say, and what we took from each:
 *
 * - The Open Messaging SDK model of the webhook body (`OpenNormalizedMessage.content[]` =
 *   `OpenMessageContent`) declares only `{ contentType, attachment }`
 *   (https://github.com/MyPureCloud/platform-client-sdk-javascript, build/index.d.ts v259,
 *   `interface OpenMessageContent`). The structured fields are those of the general message model
 *   `ConversationMessageContent`: `quickReply`, `quickReplyV2`, `buttonResponse`, `template`, `card`,
 *   `carousel`, `datePicker`, `listPicker`, `location`, `story`, … (same file). Its Python twin
 *   lists the `contentType` values `Attachment, Location, Story, QuickReply, Notification,
 *   ButtonResponse, GenericTemplate, ListTemplate, Postback, Reactions, Mention, Card, Carousel,
 *   Unknown` (https://github.com/MyPureCloud/platform-client-sdk-python,
 *   build/PureCloudPlatformClientV2/models/conversation_message_content.py); newer ones add
 *   `DatePicker`, `QuickReplyV2`, `ListPicker`, … — so unknown values must be expected.
 * - `ConversationContentQuickReply`: `{ text (required), payload (required), image?, action?,
 *   summaryText? }`; `action` is only ever `"Message"` ("sends a message using the quick reply
 *   text", WebMessagingQuickReply ActionEnum, platform-client-sdk-java docs). One item per option.
 * - `ConversationContentQuickReplyV2`: `{ title, actions: ConversationContentQuickReply[] }`.
 * - `ConversationContentCard`: `{ title (required), description?, image? (URL), video? (URL),
 *   defaultAction?, actions[] (required) }`; `ConversationContentCardAction`: `{ type, text?,
 *   payload?, url? }` with `type` ∈ `Link | Postback | Unknown` (conversation_content_card_action.py:
 *   "payload … returned … from a ButtonResponse when a button is clicked").
 * - `ConversationContentCarousel`: `{ cards: ConversationContentCard[] }`.
 * - `ConversationContentDatePicker`: `{ id?, title?, subtitle?, imageUrl?, dateMinimum?,
 *   dateMaximum?, location?, availableTimes?: { dateTime?, duration? (seconds) }[],
 *   dateDisplayFormat? }`.
 * - `ConversationContentNotificationTemplate`: `{ id?, language?, header?: { type, text?, media?,
 *   parameters? }, body: { text?, parameters: { name?, text }[] }, buttons?: { type, text?, index,
 *   phoneNumber?, url?, payload? }[], footer?: { text? } }`.
 * - `ConversationContentButtonResponse` (what a tap becomes, inbound): `{ type ∈ Button |
 *   QuickReply (| DatePicker), text, payload }` — `QuickReply` for quick replies, `Button` for card
 *   buttons (conversation_content_button_response.py; reference §2.6).
 * - Real payloads (public test fixtures of an Open Messaging client,
 *   https://github.com/gildas/go-gcloudcx/tree/master/testdata): quick replies arrive as one
 *   `{ "contentType": "QuickReply", "quickReply": { "text": "Yes", "payload": "Yes", "action":
 *   "Message" } }` item per option beside the message `text` (normalized-message-structured-quick-
 *   replies.json); a card as `{ "contentType": "Card", "card": { "title": "", "description": …,
 *   "actions": [{ "type": "Link", "text": …, "url": … }] } }` — note the empty title
 *   (normalized-message-structured-card.json); a carousel's cards carry `image` or `video` and
 *   Postback/Link actions (normalized-message-structured-carousel.json); a date picker `{ title,
 *   subtitle, availableTimes: [{ duration: 1800, dateTime: "2025-05-30T12:00:00Z" }] }`
 *   (normalized-message-structured-datepicker.json); a notification `{ "contentType":
 *   "Notification", "template": { header: { text }, body: { text, parameters: [{ name, text }] },
 *   footer: { text } } }` with the body text, parameters already filled in, repeated as the
 *   message `text` (openmessaging-outbound-notification.json). `QuickReplyV2` as
 *   `{ "contentType": "QuickReplyV2", "quickReplyV2": { title, actions[] } }` (the same client's
 *   normalized_message_content_quickreplyv2.go).
 *
 * Parsing is lenient like the rest of the webhook contract: loose objects (Genesys adds fields),
 * `contentType` and action `type` in any case, and an item that does not parse is reported as
 * unrenderable rather than failing the whole message.
 */

const optionalText = z.string().optional();

export const GenesysQuickReply = z.looseObject({
  text: optionalText,
  payload: optionalText,
  image: optionalText,
  action: optionalText,
  summaryText: optionalText,
});
export type GenesysQuickReply = z.infer<typeof GenesysQuickReply>;

export const GenesysQuickReplyV2 = z.looseObject({
  title: optionalText,
  actions: z.array(GenesysQuickReply).default([]),
});
export type GenesysQuickReplyV2 = z.infer<typeof GenesysQuickReplyV2>;

export const GenesysCardAction = z.looseObject({
  type: optionalText,
  text: optionalText,
  payload: optionalText,
  url: optionalText,
});
export type GenesysCardAction = z.infer<typeof GenesysCardAction>;

export const GenesysCard = z.looseObject({
  title: optionalText,
  description: optionalText,
  image: optionalText,
  video: optionalText,
  defaultAction: GenesysCardAction.optional(),
  actions: z.array(GenesysCardAction).default([]),
});
export type GenesysCard = z.infer<typeof GenesysCard>;

export const GenesysCarousel = z.looseObject({ cards: z.array(GenesysCard).default([]) });
export type GenesysCarousel = z.infer<typeof GenesysCarousel>;

export const GenesysDatePicker = z.looseObject({
  title: optionalText,
  subtitle: optionalText,
  dateMinimum: optionalText,
  dateMaximum: optionalText,
  availableTimes: z.array(z.looseObject({ dateTime: optionalText, duration: z.number().optional() })).default([]),
});
export type GenesysDatePicker = z.infer<typeof GenesysDatePicker>;

const TemplateParameter = z.looseObject({ name: optionalText, text: z.string() });

export const GenesysNotificationTemplate = z.looseObject({
  header: z.looseObject({ type: optionalText, text: optionalText, parameters: z.array(TemplateParameter).optional() }).optional(),
  body: z.looseObject({ text: optionalText, parameters: z.array(TemplateParameter).default([]) }).optional(),
  buttons: z
    .array(z.looseObject({ type: optionalText, text: optionalText, url: optionalText, phoneNumber: optionalText, payload: optionalText }))
    .default([]),
  footer: z.looseObject({ text: optionalText }).optional(),
});
export type GenesysNotificationTemplate = z.infer<typeof GenesysNotificationTemplate>;

/** One `content[]` item as the renderer sees it: a known kind with its parsed body, or anything else. */
export type StructuredItem =
  | { kind: 'QuickReply'; quickReply: GenesysQuickReply }
  | { kind: 'QuickReplyV2'; quickReplyV2: GenesysQuickReplyV2 }
  | { kind: 'Card'; card: GenesysCard }
  | { kind: 'Carousel'; carousel: GenesysCarousel }
  | { kind: 'DatePicker'; datePicker: GenesysDatePicker }
  | { kind: 'Notification'; template: GenesysNotificationTemplate }
  | { kind: 'Attachment' }
  /** A type we do not render, or a known one whose body did not parse. */
  | { kind: 'unrenderable'; contentType: string; item: Record<string, unknown> };

const PARSERS: Record<string, (item: Record<string, unknown>) => StructuredItem | undefined> = {
  quickreply: (item) => parsed(GenesysQuickReply, item['quickReply'], (quickReply) => ({ kind: 'QuickReply', quickReply })),
  quickreplyv2: (item) => parsed(GenesysQuickReplyV2, item['quickReplyV2'], (quickReplyV2) => ({ kind: 'QuickReplyV2', quickReplyV2 })),
  card: (item) => parsed(GenesysCard, item['card'], (card) => ({ kind: 'Card', card })),
  carousel: (item) => parsed(GenesysCarousel, item['carousel'], (carousel) => ({ kind: 'Carousel', carousel })),
  datepicker: (item) => parsed(GenesysDatePicker, item['datePicker'], (datePicker) => ({ kind: 'DatePicker', datePicker })),
  notification: (item) => parsed(GenesysNotificationTemplate, item['template'], (template) => ({ kind: 'Notification', template })),
  attachment: () => ({ kind: 'Attachment' }),
};

function parsed<S extends z.ZodType, R>(schema: S, value: unknown, wrap: (body: z.infer<S>) => R): R | undefined {
  const result = schema.safeParse(value);
  return result.success ? wrap(result.data) : undefined;
}

/** Reads one `content[]` item (contentType in any case); never throws. */
export function parseStructuredItem(item: Record<string, unknown>): StructuredItem {
  const contentType = typeof item['contentType'] === 'string' ? item['contentType'] : '';
  return PARSERS[contentType.toLowerCase()]?.(item) ?? { kind: 'unrenderable', contentType: contentType || 'unknown', item };
}
