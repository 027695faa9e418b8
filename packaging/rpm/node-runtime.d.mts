// Types for node-runtime.mjs (plain JavaScript so the build runs without a TypeScript loader).
export declare const runtimeVersion: string;
export declare const runtimePackages: Record<'x86_64' | 'aarch64', { npm: string; integrity: string }>;
export declare function runtimeCacheDir(): string;
export declare function runtimeTarball(arch: string): { file: string; spec: string; downloaded: boolean };
