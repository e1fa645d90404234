import { describe, expect, it } from 'vitest';
import { readDispatchDeclaration } from './workflowFile';

describe('readDispatchDeclaration', () => {
  it('reads the string, list and map forms of on:', () => {
    expect(readDispatchDeclaration('on: workflow_dispatch\njobs: {}\n')).toEqual({ acceptsDispatch: true, inputs: [] });
    expect(readDispatchDeclaration('on: push\n')).toEqual({ acceptsDispatch: false, inputs: [] });
    expect(readDispatchDeclaration('on: [push, workflow_dispatch]\n')).toEqual({ acceptsDispatch: true, inputs: [] });
    expect(readDispatchDeclaration('on:\n  - push\n')).toEqual({ acceptsDispatch: false, inputs: [] });
    expect(readDispatchDeclaration('on:\n  push:\n  workflow_dispatch:\n')).toEqual({
      acceptsDispatch: true,
      inputs: [],
    });
    expect(
      readDispatchDeclaration(
        'on:\n  workflow_dispatch:\n    inputs:\n      version:\n        required: true\n      environment:\n        type: choice\n        options: [a, b]\n',
      ),
    ).toEqual({ acceptsDispatch: true, inputs: ['version', 'environment'] });
    expect(readDispatchDeclaration('on:\n  push:\n    branches: [main]\n')).toEqual({
      acceptsDispatch: false,
      inputs: [],
    });
  });

  it('accepts a YAML 1.1 style `true:` key and reports unreadable files', () => {
    expect(readDispatchDeclaration('true:\n  workflow_dispatch: {}\n').acceptsDispatch).toBe(true);
    const broken = readDispatchDeclaration('on: [workflow_dispatch\n');
    expect(broken.acceptsDispatch).toBe(false);
    expect(broken.problem).toMatch(/not valid YAML/);
    expect(readDispatchDeclaration('- a\n- b\n').problem).toBe('not a YAML mapping');
  });
});
