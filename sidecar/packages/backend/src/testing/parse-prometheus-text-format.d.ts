// The package ships no types; this is the part the tests use. It is the
// gateway's test dependency (the repository root's node_modules), found by
// Node's upward module resolution from sidecar/.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): Array<{
    name: string;
    help: string;
    type: string;
    metrics: unknown[];
  }>;
}
