import type { CallbackQuery } from '@tgg/contracts';
import { buttonIdOf, type KeyboardButtonRecord } from '@tgg/telegram';

/**
 * What ingress does with a tap (SPEC §5): forward a tap on a keyboard the bridge sent, once per
 * keyboard; answer every other one with a short notice and forward nothing.
 */
export type TapVerdict =
  | { kind: 'forward'; button: KeyboardButtonRecord }
  | { kind: 'ignore'; reason: TapIgnoredReason; notice: string; closeKeyboard: boolean };

/** Metric `reason` labels of ignored taps: a fixed set. */
export type TapIgnoredReason = 'tap_answered' | 'tap_expired' | 'tap_foreign' | 'tap_not_ours';

export const TAP_NOTICES = {
  answered: 'You have already answered this question.',
  closed: 'This question is closed. Please type your answer instead.',
} as const;

/**
 * Decides everything but "answered already", which needs the store (`claim`, asked only for a tap
 * on a live button of this chat). A keyboard the bridge recognises as its own — its callback_data
 * has the bridge's shape — is closed when its tap is refused; any other keyboard of the bot
 * (callback_data of another system sharing the bot) is answered and left as it is.
 */
export async function judgeTap(
  query: CallbackQuery,
  channel: string,
  button: KeyboardButtonRecord | undefined,
  claim: (button: KeyboardButtonRecord) => Promise<boolean>,
): Promise<TapVerdict> {
  const ours = buttonIdOf(query.data) !== undefined;
  if (!ours || !query.message) return { kind: 'ignore', reason: 'tap_not_ours', notice: TAP_NOTICES.closed, closeKeyboard: false };
  if (!button) return { kind: 'ignore', reason: 'tap_expired', notice: TAP_NOTICES.closed, closeKeyboard: true };
  // The record names the channel and chat it was sent to: a key replayed into another chat or bot is not that keyboard.
  if (button.channel !== channel || button.chatId !== String(query.message.chat.id)) {
    return { kind: 'ignore', reason: 'tap_foreign', notice: TAP_NOTICES.closed, closeKeyboard: true };
  }
  if (!(await claim(button))) return { kind: 'ignore', reason: 'tap_answered', notice: TAP_NOTICES.answered, closeKeyboard: false };
  return { kind: 'forward', button };
}

/** The keyboard after its answer: one button with the chosen label, so the chat shows what was picked (tapping it again is "already answered"). */
export function answeredKeyboardOf(button: KeyboardButtonRecord, callbackData: string): { inline_keyboard: { text: string; callback_data: string }[][] } {
  return { inline_keyboard: [[{ text: `✓ ${button.text}`, callback_data: callbackData }]] };
}
