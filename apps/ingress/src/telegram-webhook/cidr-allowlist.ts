/** IPv4 CIDR allowlist (TELEGRAM_ALLOWED_CIDRS): defence in depth only, the secret header is the real check. */
export class CidrAllowlist {
  private readonly ranges: { network: number; mask: number }[];

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map((cidr) => {
      const [address = '', bits = '32'] = cidr.split('/');
      const prefix = Number(bits);
      const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
      return { network: (ipv4ToInt(address) ?? 0) & mask, mask };
    });
  }

  get enabled(): boolean {
    return this.ranges.length > 0;
  }

  allows(ip: string): boolean {
    if (!this.enabled) return true;
    const value = ipv4ToInt(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
    if (value === undefined) return false;
    return this.ranges.some((range) => ((value & range.mask) >>> 0) === range.network >>> 0);
  }
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value >>> 0;
}
