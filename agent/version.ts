// The version is stamped into the bundle at build time (packaging/build.mjs); from source it
// reads as "dev".
declare const EDGE_AGENT_VERSION: string | undefined;

export const version: string = typeof EDGE_AGENT_VERSION === 'string' ? EDGE_AGENT_VERSION : '0.0.0-dev';
