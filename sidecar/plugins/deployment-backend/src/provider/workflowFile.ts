/**
 * What a workflow file says about manual dispatch: whether `on:` includes
 * `workflow_dispatch` and which inputs it declares.
 *
 * `on:` comes in three forms: a string (`on: workflow_dispatch`), a list
 * (`on: [push, workflow_dispatch]`) or a map (`on: { workflow_dispatch: { inputs: … } }`,
 * where the value may be empty). YAML 1.1 parsers read a bare `on` key as
 * `true`; GitHub does not, and `yaml` (YAML 1.2) does not either, but a
 * `true` key is accepted as well.
 */
import { parse } from 'yaml';

export interface DispatchDeclaration {
  acceptsDispatch: boolean;
  inputs: string[];
  /** Why the file could not be read as a workflow, when it could not. */
  problem?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readDispatchDeclaration(text: string): DispatchDeclaration {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unreadable';
    return { acceptsDispatch: false, inputs: [], problem: `not valid YAML (${reason})` };
  }
  if (!isRecord(doc)) return { acceptsDispatch: false, inputs: [], problem: 'not a YAML mapping' };
  const on = 'on' in doc ? doc.on : doc.true;
  if (typeof on === 'string') return { acceptsDispatch: on === 'workflow_dispatch', inputs: [] };
  if (Array.isArray(on)) return { acceptsDispatch: on.includes('workflow_dispatch'), inputs: [] };
  if (!isRecord(on) || !('workflow_dispatch' in on)) return { acceptsDispatch: false, inputs: [] };
  const dispatch = on.workflow_dispatch;
  const inputs = isRecord(dispatch) && isRecord(dispatch.inputs) ? Object.keys(dispatch.inputs) : [];
  return { acceptsDispatch: true, inputs };
}
