/** BullMQ job ids must not contain ':' (Redis key separator); Genesys message ids do, so never reuse one for the other. */
export function toJobId(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replace(/[^A-Za-z0-9_.-]/g, '_')).join('.');
}
