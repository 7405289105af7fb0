import { CidrAllowlist } from './cidr-allowlist.js';

describe('CidrAllowlist', () => {
  const telegram = new CidrAllowlist(['149.154.160.0/20', '91.108.4.0/22']);

  it.each(['149.154.160.1', '149.154.175.254', '91.108.4.10', '91.108.7.255', '::ffff:149.154.167.99'])('allows %s from Telegram ranges', (ip) => {
    expect(telegram.allows(ip)).toBe(true);
  });

  it.each(['149.154.176.0', '91.108.8.1', '10.0.0.1', '127.0.0.1', '::1', 'not-an-ip', '300.1.1.1'])('refuses %s', (ip) => {
    expect(telegram.allows(ip)).toBe(false);
  });

  it('allows everything when no range is configured', () => {
    expect(new CidrAllowlist([]).allows('10.1.2.3')).toBe(true);
  });
});
