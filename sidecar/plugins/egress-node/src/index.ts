/**
 * @internal/egress-node: the egress policy every outgoing connection of the
 * sidecar's plugins is held to, and its enforcement (see ./guard.ts).
 */
export * from './errors';
export * from './guard';
export * from './metrics';
export * from './pluginScope';
export * from '@internal/egress-common';
