import { mediaMethodFor, tooLargeNotice, TELEGRAM_PHOTO_LIMIT_BYTES, TELEGRAM_UPLOAD_LIMIT_BYTES } from './media-method.js';

describe('mediaMethodFor', () => {
  it.each([
    ['Image', 'image/jpeg', 1000, 'sendPhoto'],
    ['Image', 'image/png; charset=binary', TELEGRAM_PHOTO_LIMIT_BYTES, 'sendPhoto'],
    ['Image', 'image/png', TELEGRAM_PHOTO_LIMIT_BYTES + 1, 'sendDocument'],
    ['Image', 'image/gif', 1000, 'sendDocument'],
    ['Video', 'video/mp4', 1000, 'sendVideo'],
    ['Video', 'video/quicktime', 1000, 'sendDocument'],
    ['Audio', 'audio/mpeg', 1000, 'sendAudio'],
    ['Audio', 'audio/ogg', 1000, 'sendDocument'],
    ['File', 'application/pdf', TELEGRAM_UPLOAD_LIMIT_BYTES, 'sendDocument'],
    ['File', 'application/pdf', TELEGRAM_UPLOAD_LIMIT_BYTES + 1, 'too-large'],
    ['Image', 'image/jpeg', TELEGRAM_UPLOAD_LIMIT_BYTES + 1, 'too-large'],
  ] as const)('sends %s %s of %i bytes with %s', (mediaType, mime, sizeBytes, method) => {
    expect(mediaMethodFor({ mediaType }, mime, sizeBytes)).toBe(method);
  });
});

describe('tooLargeNotice', () => {
  it('names the file and its size, and keeps the caption', () => {
    const notice = tooLargeNotice({ filename: 'video.mov' }, 62 * 1024 * 1024, 'Here is the recording');
    expect(notice).toMatch(/^Here is the recording\n\nThe agent sent you "video.mov" \(62.0 MB\), but Telegram does not accept files over 50 MB/);
  });
});
