export type * from './api';
export * from './routes';
export * from './rules';
