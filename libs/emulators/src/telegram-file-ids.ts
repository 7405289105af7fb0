import { randomBytes } from 'node:crypto';

/**
 * file_id / file_unique_id in the shapes and lengths the real Bot API issues, so code under test
 * meets ids like `AgACAgIAAxkBAAIBZ2Wb…AAMCAAN5AAM0BA` (photos, 86 characters) and never gets away with
 * assuming short ones. Real ids are unpadded base64url of tdlib's serialized remote file location
 * with runs of zero bytes encoded as (0, count): a type word (file type | file-reference flag), the
 * DC, a 25-byte file reference, the file id and access hash, for photos the size it names, then a
 * sub-version and version byte. The emulator reproduces that layout with random content; nothing
 * decodes it, but the prefixes, alphabet and lengths match what Telegram sends.
 */

export type TelegramFileKind = 'photo' | 'voice' | 'video' | 'document' | 'sticker' | 'audio' | 'animation' | 'video_note';

export interface TelegramFileIds {
  fileId: string;
  fileUniqueId: string;
}

// tdlib FileType numbers: the first byte of every file_id (`Ag…` photo, `BQ…` document, …).
const FILE_TYPE: Record<TelegramFileKind, number> = {
  photo: 2,
  voice: 3,
  video: 4,
  document: 5,
  sticker: 8,
  audio: 9,
  animation: 10,
  video_note: 13,
};

// Type word 0x02000000|type as (type, 0, count 2, 2); DC 2 as (2, 0, count 3); file reference of
// 25 bytes that starts 01 00 00.
const headerOf = (fileType: number): number[] => [fileType, 0x00, 0x02, 0x02, 0x02, 0x00, 0x03, 0x19, 0x01, 0x00, 0x02];
// Photo size source and thumbnail type 'y', sub-version 0x34, version 4, as at the end of real photo ids.
const PHOTO_TAIL = [0x00, 0x03, 0x02, 0x00, 0x03, 0x79, 0x00, 0x03, 0x34, 0x04];
const OTHER_TAIL = [0x34, 0x04];

/** Zero-free random bytes: a zero would need the (0, count) encoding and change the length. */
function nonZeroBytes(count: number, random: (size: number) => Buffer): number[] {
  return [...random(count)].map((byte) => byte || 0x01);
}

export function newTelegramFileIds(kind: TelegramFileKind, random: (size: number) => Buffer = randomBytes): TelegramFileIds {
  // The reference's next byte stays below 0x40 so photo ids keep the well-known `AgACAgIAAxkBAAI` start.
  const [referenceFirst = 1, ...referenceRest] = nonZeroBytes(22, random);
  const reference = [(referenceFirst & 0x3f) || 0x01, ...referenceRest];
  const idAndAccessHash = nonZeroBytes(16, random);
  const body = kind === 'photo' ? [...nonZeroBytes(5, random), ...PHOTO_TAIL] : [...nonZeroBytes(2, random), ...OTHER_TAIL];
  const fileId = Buffer.from([...headerOf(FILE_TYPE[kind]), ...reference, ...idAndAccessHash, ...body]).toString('base64url');
  // Unique ids: a type byte (1 photo, 2 other files), three zero bytes, then the id: `AQAD…` / `AgAD…`.
  const uniqueId = kind === 'photo' ? [0x01, 0x00, 0x03, ...nonZeroBytes(9, random)] : [0x02, 0x00, 0x03, ...nonZeroBytes(8, random)];
  return { fileId, fileUniqueId: Buffer.from(uniqueId).toString('base64url') };
}
