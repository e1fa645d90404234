import { describe, expect, it } from 'vitest';
import { JqlSyntaxError, parseJql } from './jql';

describe('parseJql', () => {
  it('parses the query the Jira plugin sends', () => {
    expect(parseJql('project = "OPS" AND status = "In Progress" ORDER BY created DESC')).toEqual({
      where: {
        kind: 'and',
        left: { kind: 'clause', field: 'project', operator: '=', values: [{ kind: 'string', value: 'OPS' }] },
        right: { kind: 'clause', field: 'status', operator: '=', values: [{ kind: 'string', value: 'In Progress' }] },
      },
      orderBy: [{ field: 'created', direction: 'desc' }],
    });
  });

  it('reads bare words, single quotes, escapes, case-insensitive keywords and fields', () => {
    expect(parseJql(`Project=ops and STATUS = 'Won\\'t Do' order by Key`)).toEqual({
      where: {
        kind: 'and',
        left: { kind: 'clause', field: 'project', operator: '=', values: [{ kind: 'string', value: 'ops' }] },
        right: { kind: 'clause', field: 'status', operator: '=', values: [{ kind: 'string', value: "Won't Do" }] },
      },
      orderBy: [{ field: 'key', direction: 'asc' }],
    });
  });

  it('gives AND precedence over OR, and honours parentheses and NOT', () => {
    const { where } = parseJql('project = A OR project = B AND NOT (status = Done OR assignee is EMPTY)');
    expect(where).toMatchObject({
      kind: 'or',
      left: { kind: 'clause', field: 'project' },
      right: {
        kind: 'and',
        left: { kind: 'clause', field: 'project' },
        right: {
          kind: 'not',
          expression: {
            kind: 'or',
            right: { kind: 'clause', field: 'assignee', operator: 'is', values: [{ kind: 'empty' }] },
          },
        },
      },
    });
  });

  it('parses lists, NOT IN, IS NOT, functions and several sort keys', () => {
    expect(
      parseJql(
        'status not in ("Done", "In Review") AND assignee = currentUser() AND assignee is not EMPTY ORDER BY status ASC, created DESC',
      ),
    ).toEqual({
      where: {
        kind: 'and',
        left: {
          kind: 'and',
          left: {
            kind: 'clause',
            field: 'status',
            operator: 'not in',
            values: [
              { kind: 'string', value: 'Done' },
              { kind: 'string', value: 'In Review' },
            ],
          },
          right: {
            kind: 'clause',
            field: 'assignee',
            operator: '=',
            values: [{ kind: 'function', name: 'currentuser' }],
          },
        },
        right: { kind: 'clause', field: 'assignee', operator: 'is not', values: [{ kind: 'empty' }] },
      },
      orderBy: [
        { field: 'status', direction: 'asc' },
        { field: 'created', direction: 'desc' },
      ],
    });
  });

  it('accepts a query without restriction (the search decides it is unbounded)', () => {
    expect(parseJql('ORDER BY created DESC')).toEqual({
      where: null,
      orderBy: [{ field: 'created', direction: 'desc' }],
    });
    expect(parseJql('   ')).toEqual({ where: null, orderBy: [] });
  });

  it.each([
    [
      'project = ',
      "Error in the JQL Query: Expecting either a value, list or function but got '<EOF>'. (line 1, character 11)",
    ],
    [
      'project = "OPS',
      "Error in the JQL Query: The quoted string 'OPS' has not been completed. (line 1, character 11)",
    ],
    ['status = To Do', "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'Do'. (line 1, character 13)"],
    [
      'status = In Progress',
      "Error in the JQL Query: Expecting either a value, list or function but got 'In'. You must surround 'In' in quotation marks to use it as a value. (line 1, character 10)",
    ],
    [
      'project OPS',
      "Error in the JQL Query: Expecting operator but got 'OPS'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)",
    ],
    [
      'project = AND',
      "Error in the JQL Query: Expecting either a value, list or function but got 'AND'. You must surround 'AND' in quotation marks to use it as a value. (line 1, character 11)",
    ],
    ['(project = OPS', "Error in the JQL Query: Expecting ')' but got '<EOF>'. (line 1, character 15)"],
    ['project in OPS', "Error in the JQL Query: Expecting '(' but got 'OPS'. (line 1, character 12)"],
    ['project = OPS ORDER created', "Error in the JQL Query: Expecting 'BY' but got 'created'. (line 1, character 21)"],
    [
      'project = OPS; drop',
      "Error in the JQL Query: The character ';' is a reserved JQL character. You must enclose it in a string or use the escape '\\u003b' instead. (line 1, character 14)",
    ],
  ])("rejects %j with Jira's message", (jql, message) => {
    expect(() => parseJql(jql)).toThrow(JqlSyntaxError);
    expect(() => parseJql(jql)).toThrow(message);
  });
});
