import { isValidTelegramSecret } from './secret-token.js';

describe('isValidTelegramSecret', () => {
  it('accepts the exact secret only', () => {
    expect(isValidTelegramSecret('s3cret_-A', 's3cret_-A')).toBe(true);
    expect(isValidTelegramSecret('s3cret_-a', 's3cret_-A')).toBe(false);
    expect(isValidTelegramSecret('s3cret_-A ', 's3cret_-A')).toBe(false);
    expect(isValidTelegramSecret('s3cret', 's3cret_-A')).toBe(false);
  });

  it('refuses a missing or empty header', () => {
    expect(isValidTelegramSecret(undefined, 'x')).toBe(false);
    expect(isValidTelegramSecret('', 'x')).toBe(false);
  });
});
