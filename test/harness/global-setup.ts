// Runs once before all test files: the agent bundle that devices run must match the source.
import { buildAgent } from './agent-build.js';

export default async function setup(): Promise<void> {
  await buildAgent();
}
