export function maskUrl(raw: string): string;
export function preflight(env?: NodeJS.ProcessEnv): Promise<string[]>;
