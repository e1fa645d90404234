/**
 * Reads a Prometheus text exposition (format 0.0.4) for assertions. Two
 * checks: the `parse-prometheus-text-format` parser must accept the page, and
 * a strict line check of our own, because that parser is lenient (it skips
 * malformed lines and merges repeated families). The strict check requires
 * valid metric and label names, quoted and escaped label values, numeric
 * sample values, at most one TYPE per family, and each family's lines kept
 * together.
 */

import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Family name → TYPE (counter, gauge, histogram, summary, untyped). */
  types: Map<string, string>;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/;
const LABEL_PAIR = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created'];

function fail(lineNumber: number, line: string, why: string): never {
  throw new Error(`Invalid exposition line ${lineNumber} (${why}): ${line}`);
}

/**
 * A sample value as Prometheus reads it (Go's strconv.ParseFloat: decimal or
 * scientific notation, NaN and Inf in any letter case; prom-client writes
 * "Nan" for an empty event-loop histogram).
 */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const infinity = /^([-+]?)inf(inity)?$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

function parseLabels(text: string, lineNumber: number, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.trim() !== '') {
    const match = LABEL_PAIR.exec(rest);
    if (!match) fail(lineNumber, line, 'label syntax');
    const [whole, name, raw] = match;
    if (name! in labels) fail(lineNumber, line, `label ${name} repeated`);
    labels[name!] = raw!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/** The family a sample belongs to: its own name, or the name without a suffix. */
function familyOf(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name;
  const suffix = SUFFIXES.find(s => name.endsWith(s) && types.has(name.slice(0, -s.length)));
  return suffix ? name.slice(0, -suffix.length) : name;
}

export function parseExposition(text: string): Exposition {
  parsePrometheusTextFormat(text); // throws on lines it cannot read

  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const finished = new Set<string>();
  let current: string | undefined;
  const enter = (family: string, lineNumber: number, line: string) => {
    if (family === current) return;
    if (finished.has(family)) fail(lineNumber, line, `family ${family} is split`);
    if (current !== undefined) finished.add(current);
    current = family;
  };

  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const [, keyword, name, ...rest] = line.split(' ');
      if (keyword === 'HELP' || keyword === 'TYPE') {
        if (!name || !METRIC_NAME.test(name)) fail(lineNumber, line, 'metric name');
        enter(name, lineNumber, line);
        if (keyword === 'TYPE') {
          const type = rest.join(' ');
          if (!TYPES.has(type)) fail(lineNumber, line, 'unknown type');
          if (types.has(name)) fail(lineNumber, line, `second TYPE for ${name}`);
          types.set(name, type);
        }
      }
      return; // other comments (e.g. "# UNIT") are allowed and ignored
    }
    const match = SAMPLE_LINE.exec(line);
    if (!match) fail(lineNumber, line, 'sample syntax');
    const [, name, labelText, valueText] = match;
    const value = parseValue(valueText!);
    if (value === undefined) fail(lineNumber, line, 'value');
    enter(familyOf(name!, types), lineNumber, line);
    samples.push({ name: name!, labels: parseLabels(labelText ?? '', lineNumber, line), value });
  });
  return { types, samples };
}

/** Samples with this name whose labels include all of `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
