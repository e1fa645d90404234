// The package ships no types; this is the part the metrics suite uses.
declare module "parse-prometheus-text-format" {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
