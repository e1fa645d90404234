import type { JobSeed, WorkflowInputSeed } from './types';

/** What the YAML generator needs to know about a workflow. */
export interface WorkflowShape {
  name: string;
  dispatch: boolean;
  inputs: Array<[string, WorkflowInputSeed]>;
  runName?: string;
  jobs: JobSeed[];
}

/** YAML double-quoted scalar (JSON strings are valid YAML). */
const q = (value: string) => JSON.stringify(value);

const scalar = (value: string | number | boolean) => (typeof value === 'string' ? q(value) : String(value));

export const jobKey = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z_]/, '_$&');

/** The workflow file GitHub would store for this workflow. */
export function renderWorkflowYaml(wf: WorkflowShape): string {
  const out: string[] = [`name: ${q(wf.name)}`];
  if (wf.runName) out.push(`run-name: ${q(wf.runName)}`);
  out.push('on:');
  if (wf.dispatch) {
    if (wf.inputs.length === 0) {
      out.push('  workflow_dispatch:');
    } else {
      out.push('  workflow_dispatch:', '    inputs:');
      for (const [name, input] of wf.inputs) {
        out.push(`      ${name}:`);
        if (input.description !== undefined) out.push(`        description: ${q(input.description)}`);
        out.push(`        required: ${input.required ? 'true' : 'false'}`);
        out.push(`        type: ${input.type ?? 'string'}`);
        if (input.default !== undefined) out.push(`        default: ${scalar(input.default)}`);
        if (input.options?.length) {
          out.push('        options:');
          for (const option of input.options) out.push(`          - ${q(option)}`);
        }
      }
    }
  } else {
    out.push('  push:', '    branches:', '      - main');
  }
  out.push('jobs:');
  wf.jobs.forEach((job, index) => {
    out.push(`  ${jobKey(job.name)}:`, `    name: ${q(job.name)}`, '    runs-on: ubuntu-latest');
    const previous = wf.jobs[index - 1];
    if (previous) out.push(`    needs: ${jobKey(previous.name)}`);
    if (job.environment) {
      out.push('    environment:', `      name: ${q(job.environment)}`);
      if (job.environmentUrl) out.push(`      url: ${q(job.environmentUrl)}`);
    }
    out.push('    steps:', '      - uses: actions/checkout@v4');
    for (const step of job.steps ?? ['Run']) {
      out.push(`      - name: ${q(step)}`, `        run: ${q(`echo ${JSON.stringify(step)}`)}`);
    }
  });
  return `${out.join('\n')}\n`;
}

/**
 * Replaces `${{ inputs.x }}`, `${{ github.event.inputs.x }}`, `${{ github.ref_name }}`
 * and `${{ github.actor }}`; any other expression becomes an empty string.
 */
export function interpolate(
  template: string,
  context: { inputs: Record<string, string>; refName: string; actor: string },
): string {
  return template.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_match, expression: string) => {
    const input = /^(?:github\.event\.)?inputs\.([A-Za-z0-9_-]+)$/.exec(expression);
    if (input?.[1] !== undefined) return context.inputs[input[1]] ?? '';
    if (expression === 'github.ref_name') return context.refName;
    if (expression === 'github.actor') return context.actor;
    return '';
  });
}
