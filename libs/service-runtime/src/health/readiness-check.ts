/** One thing /health/ready requires to accept work. Checks must be cheap: probes run every few seconds. */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with a short detail when up; rejects (with a message safe to show) when down. */
  check(): Promise<string | undefined>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
