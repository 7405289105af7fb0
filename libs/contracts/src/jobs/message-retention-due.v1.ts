import { z } from 'zod';

/**
 * A retention run is due (queue `maintenance`, made by a BullMQ job scheduler). It carries nothing:
 * the worker reads MESSAGE_RETENTION_DAYS itself, so a config change applies at the next run.
 */
export const MessageRetentionDueV1 = z.object({});
export type MessageRetentionDueV1 = z.infer<typeof MessageRetentionDueV1>;
