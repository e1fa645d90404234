/**
 * Runs a parsed JQL query against the issues an account can see. Semantic
 * problems (unknown field, value, operator or function) are collected and
 * reported together, as Jira does in `errorMessages`.
 */
import type { JqlExpression, JqlOperator, JqlQuery, JqlValue } from './jql';
import { STATUSES, statusByName, type AccountRec, type IssueRec, type JiraState, type ProjectRec } from './state';

type FieldName = 'project' | 'status' | 'assignee' | 'key' | 'summary' | 'created';

const FIELD_ALIASES: Record<string, FieldName> = {
  project: 'project',
  status: 'status',
  assignee: 'assignee',
  key: 'key',
  issuekey: 'key',
  id: 'key',
  summary: 'summary',
  created: 'created',
  createddate: 'created',
};

const OPERATORS: Record<FieldName, JqlOperator[]> = {
  project: ['=', '!=', 'in', 'not in'],
  status: ['=', '!=', 'in', 'not in'],
  assignee: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  key: ['=', '!=', 'in', 'not in', '>', '>=', '<', '<='],
  summary: ['~', '!~', 'is', 'is not'],
  created: ['=', '!=', '>', '>=', '<', '<=', 'is', 'is not'],
};

const SORTABLE: Record<string, (a: IssueRec, b: IssueRec) => number> = {
  created: (a, b) => a.created - b.created || compareKeys(a, b),
  key: compareKeys,
  issuekey: compareKeys,
  summary: (a, b) => a.summary.localeCompare(b.summary),
  status: (a, b) => a.status.name.localeCompare(b.status.name),
  assignee: (a, b) => (a.assignee?.displayName ?? '\uffff').localeCompare(b.assignee?.displayName ?? '\uffff'),
};

function compareKeys(a: IssueRec, b: IssueRec): number {
  return a.project.key.localeCompare(b.project.key) || a.number - b.number;
}

/** Jira's accepted absolute date formats (relative periods are not simulated). */
function parseJqlDate(value: string): number | undefined {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0));
}

export type SearchOutcome = { ok: true; issues: IssueRec[] } | { ok: false; errorMessages: string[] };

type Predicate = (issue: IssueRec) => boolean;

class Compiler {
  readonly errors: string[] = [];

  constructor(
    private readonly state: JiraState,
    private readonly account: AccountRec,
    private readonly visible: ProjectRec[],
  ) {}

  compile(expression: JqlExpression): Predicate {
    switch (expression.kind) {
      case 'and': {
        const left = this.compile(expression.left);
        const right = this.compile(expression.right);
        return issue => left(issue) && right(issue);
      }
      case 'or': {
        const left = this.compile(expression.left);
        const right = this.compile(expression.right);
        return issue => left(issue) || right(issue);
      }
      case 'not': {
        const inner = this.compile(expression.expression);
        return issue => !inner(issue);
      }
      case 'clause':
        return this.clause(expression.field, expression.operator, expression.values);
    }
  }

  private clause(rawField: string, operator: JqlOperator, values: JqlValue[]): Predicate {
    const field = FIELD_ALIASES[rawField];
    if (!field) {
      this.errors.push(`Field '${rawField}' does not exist or you do not have permission to view it.`);
      return () => false;
    }
    if (!OPERATORS[field].includes(operator)) {
      this.errors.push(`The operator '${operator}' is not supported by the '${rawField}' field.`);
      return () => false;
    }
    const negate = operator === '!=' || operator === 'not in' || operator === 'is not' || operator === '!~';
    const matchers = values.map(v => this.matcher(field, rawField, operator, v));
    const any: Predicate = issue => matchers.some(m => m(issue));
    return negate ? issue => !any(issue) : any;
  }

  private matcher(field: FieldName, rawField: string, operator: JqlOperator, value: JqlValue): Predicate {
    if (value.kind === 'function') {
      if (value.name === 'currentuser' && field === 'assignee') return issue => issue.assignee === this.account;
      this.errors.push(`Unable to find JQL function '${value.name}()'.`);
      return () => false;
    }
    if (value.kind === 'empty') {
      if (operator !== 'is' && operator !== 'is not' && operator !== '=' && operator !== '!=') {
        this.errors.push(`The operator '${operator}' does not support the EMPTY value.`);
      }
      if (field === 'assignee') return issue => issue.assignee === null;
      return () => false;
    }
    const text = value.value;
    const notFound = () => {
      this.errors.push(`The value '${text}' does not exist for the field '${rawField}'.`);
      return () => false;
    };
    switch (field) {
      case 'project': {
        const t = text.toLowerCase();
        const project = this.visible.find(
          p => p.key.toLowerCase() === t || p.name.toLowerCase() === t || String(p.id) === t,
        );
        return project ? issue => issue.project === project : notFound();
      }
      case 'status': {
        const status = statusByName(text) ?? STATUSES.find(s => s.id === text);
        return status ? issue => issue.status === status : notFound();
      }
      case 'assignee': {
        const account = this.state.findAccount(text);
        return account ? issue => issue.assignee === account : notFound();
      }
      case 'key': {
        const m = /^([A-Za-z][A-Za-z0-9_]*)-(\d+)$/.exec(text);
        if (!m) {
          this.errors.push(`The issue key '${text}' for field '${rawField}' is invalid.`);
          return () => false;
        }
        const projectKey = (m[1] ?? '').toUpperCase();
        const number = Number(m[2]);
        if (!this.visible.some(p => p.key === projectKey)) return notFound();
        const cmp = (issue: IssueRec) => (issue.project.key === projectKey ? issue.number - number : NaN);
        return ordered(operator, cmp);
      }
      case 'summary': {
        const words = text.toLowerCase().split(/\s+/).filter(Boolean);
        return issue => words.every(w => issue.summary.toLowerCase().includes(w));
      }
      case 'created': {
        const date = parseJqlDate(text);
        if (date === undefined) {
          this.errors.push(
            `Date value '${text}' for field '${rawField}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
          );
          return () => false;
        }
        return ordered(operator, issue => issue.created - date);
      }
    }
  }
}

/** `=`/`!=` match equality (negation is applied by the caller); the rest compare. */
function ordered(operator: JqlOperator, diff: (issue: IssueRec) => number): Predicate {
  switch (operator) {
    case '>':
      return issue => diff(issue) > 0;
    case '>=':
      return issue => diff(issue) >= 0;
    case '<':
      return issue => diff(issue) < 0;
    case '<=':
      return issue => diff(issue) <= 0;
    default:
      return issue => diff(issue) === 0;
  }
}

export function search(state: JiraState, account: AccountRec, query: JqlQuery): SearchOutcome {
  if (query.where === null) {
    return {
      ok: false,
      errorMessages: ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'],
    };
  }
  const visible = state.visibleProjects(account);
  const compiler = new Compiler(state, account, visible);
  const predicate = compiler.compile(query.where);
  const comparators = query.orderBy.map(o => {
    const compare = SORTABLE[o.field];
    if (!compare) compiler.errors.push(`Not able to sort using field '${o.field}'.`);
    return (a: IssueRec, b: IssueRec) => (compare ? compare(a, b) : 0) * (o.direction === 'desc' ? -1 : 1);
  });
  if (compiler.errors.length > 0) return { ok: false, errorMessages: compiler.errors };
  // Without ORDER BY, newest first.
  const order =
    comparators.length > 0 ? comparators : [(a: IssueRec, b: IssueRec) => b.created - a.created || compareKeys(b, a)];
  const issues = visible
    .flatMap(p => p.issues)
    .filter(predicate)
    .sort((a, b) => {
      for (const compare of order) {
        const d = compare(a, b);
        if (d !== 0) return d;
      }
      return 0;
    });
  return { ok: true, issues };
}
