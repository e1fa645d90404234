export type * from './api';
