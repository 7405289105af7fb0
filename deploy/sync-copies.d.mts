/** Types of deploy/sync-copies.mjs for the deploy specs. */
export declare const DASHBOARD: { original: string; copy: string };
export declare const RULES: { original: string; copy: string };
export declare function prometheusRule(rulesText: string): string;
