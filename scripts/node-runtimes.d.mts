// Types for node-runtimes.mjs (plain JavaScript: scripts/ run before node_modules exists).
export declare const runtimes: Record<number, { version: string; integrity: Record<'x64' | 'arm64', string> }>;
export declare const supportedMajors: number[];
export declare function runtimeCacheDir(): string;
export declare function ensureRuntime(major: number, arch?: string): string;
