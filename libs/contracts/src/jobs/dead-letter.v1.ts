import { z } from 'zod';

/** Any job that could not be completed: kept whole so `dlq replay` can put it back. */
export const DeadLetterV1 = z.object({
  queue: z.string(),
  jobName: z.string(),
  jobId: z.string().optional(),
  data: z.unknown(),
  code: z.string(),
  reason: z.string(),
  attemptsMade: z.number().int(),
  failedAtMs: z.number().int(),
});
export type DeadLetterV1 = z.infer<typeof DeadLetterV1>;
