import { newTelegramFileIds, type TelegramFileKind } from './telegram-file-ids.js';

const KINDS: readonly TelegramFileKind[] = ['photo', 'voice', 'video', 'document', 'sticker', 'audio', 'animation', 'video_note'];

describe('Telegram-shaped file ids', () => {
  it('gives photos 86-character ids starting AgACAgIAAxkBAAI and 16-character unique ids starting AQAD', () => {
    for (let run = 0; run < 200; run += 1) {
      const { fileId, fileUniqueId } = newTelegramFileIds('photo');
      expect(fileId).toMatch(/^AgACAgIAAxkBAAI[A-Za-z0-9_-]{71}$/);
      expect(fileId.endsWith('AAMCAAN5AAM0BA')).toBe(true);
      expect(fileUniqueId).toMatch(/^AQAD[A-Za-z0-9_-]{12}$/);
    }
  });

  it('starts each kind with its tdlib file type, as real ids do (BQAC document, AwAC voice, …)', () => {
    const prefixes = Object.fromEntries(KINDS.map((kind) => [kind, newTelegramFileIds(kind).fileId.slice(0, 4)]));
    expect(prefixes).toEqual({
      photo: 'AgAC',
      voice: 'AwAC',
      video: 'BAAC',
      document: 'BQAC',
      sticker: 'CAAC',
      audio: 'CQAC',
      animation: 'CgAC',
      video_note: 'DQAC',
    });
    for (const kind of KINDS.filter((kind) => kind !== 'photo')) {
      const { fileId, fileUniqueId } = newTelegramFileIds(kind);
      expect(fileId).toMatch(/^[A-Za-z0-9_-]{71}$/);
      expect(fileId.slice(4, 15)).toBe('AgIAAxkBAAI');
      expect(fileUniqueId).toMatch(/^AgAD[A-Za-z0-9_-]{11}$/);
    }
  });

  it('never repeats an id', () => {
    const ids = Array.from({ length: 1_000 }, () => newTelegramFileIds('document'));
    expect(new Set(ids.map((ids) => ids.fileId)).size).toBe(ids.length);
    expect(new Set(ids.map((ids) => ids.fileUniqueId)).size).toBe(ids.length);
  });

  it('keeps its length when the random source yields zero bytes (Telegram encodes zero runs)', () => {
    const zeros = (size: number) => Buffer.alloc(size);
    expect(newTelegramFileIds('photo', zeros).fileId).toHaveLength(86);
    expect(newTelegramFileIds('document', zeros).fileId).toHaveLength(71);
    expect(newTelegramFileIds('photo', zeros).fileId.startsWith('AgACAgIAAxkBAAI')).toBe(true);
  });
});
