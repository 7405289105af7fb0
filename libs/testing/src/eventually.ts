/**
 * Retries an assertion until it passes or the failsafe timeout expires (then rethrows its last
 * failure). For state the product writes after the event a test can await (e.g. a database row
 * written just after Genesys answered).
 */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
