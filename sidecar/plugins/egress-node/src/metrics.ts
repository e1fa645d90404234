import { metrics, type Counter } from '@opentelemetry/api';
import type { EgressRefusedError } from './errors';
import { currentPluginId } from './pluginScope';

/**
 * `orbit_egress_refusals_total{plugin, rule}` on the sidecar's Prometheus page
 * (meter `orbit-egress`). Both labels have a bounded set of values: plugin ids
 * of installed plugins (or `unattributed`) and the policy's rule names.
 */
export function countRefusals(meter = metrics.getMeter('orbit-egress')): (refusal: EgressRefusedError) => void {
  const counter: Counter = meter.createCounter('orbit.egress.refusals', {
    description: 'Outgoing connections of plugins refused by the egress policy (no connection was attempted)',
  });
  return refusal => counter.add(1, { plugin: currentPluginId() ?? 'unattributed', rule: refusal.rule });
}
