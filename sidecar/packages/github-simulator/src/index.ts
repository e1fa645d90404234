export { createGitHubSimulator, CONTROL_ENDPOINTS } from './server';
export { demoSeed, deployWorkflow, DEMO_TOKENS } from './seed';
export { signAppJwt } from './jwt';
export type * from './types';
