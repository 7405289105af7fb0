/** The message of anything thrown, for log fields (our errors never carry a token-bearing URL). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
