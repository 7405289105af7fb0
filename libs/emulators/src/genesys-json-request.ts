import type { z } from 'zod';
import { badRequest } from './genesys-errors.js';
import type { HttpOutcome } from './http-server.js';
import { MalformedBodyError, parseJsonObject } from './request-body.js';

/** Parses a JSON body with a schema, answering Genesys' 400 bad.request on any problem. */
export function parseRequest<S extends z.ZodType>(schema: S, rawBody: Buffer): { value: z.infer<S> } | { error: HttpOutcome } {
  let json: Record<string, unknown>;
  try {
    json = parseJsonObject(rawBody);
  } catch (error) {
    if (error instanceof MalformedBodyError) {
      return { error: badRequest('The request could not be understood by the server due to malformed syntax.') };
    }
    throw error;
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({ fieldName: issue.path.map(String).join('.'), message: issue.message }));
    const summary = details.map((detail) => `${detail.fieldName || '(body)'} ${detail.message}`).join('; ');
    return { error: badRequest(`Invalid request body: ${summary}`, details) };
  }
  return { value: result.data };
}
