/** A connection URL without its password, safe to print (DATABASE_URL and REDIS_URL may carry one). */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparsable URL>';
  }
}
