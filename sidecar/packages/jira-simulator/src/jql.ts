/**
 * A JQL parser for the subset the simulator evaluates: clauses `field op value`
 * joined by AND / OR / NOT with parentheses, lists for IN, EMPTY, functions
 * such as `currentUser()`, and `ORDER BY field [ASC|DESC], …`. Syntax errors
 * carry Jira's wording and position ("Error in the JQL Query: … (line 1,
 * character N)").
 */

export type JqlOperator = '=' | '!=' | '~' | '!~' | '>' | '>=' | '<' | '<=' | 'in' | 'not in' | 'is' | 'is not';

export type JqlValue = { kind: 'string'; value: string } | { kind: 'empty' } | { kind: 'function'; name: string };

export type JqlExpression =
  | { kind: 'and' | 'or'; left: JqlExpression; right: JqlExpression }
  | { kind: 'not'; expression: JqlExpression }
  | { kind: 'clause'; field: string; operator: JqlOperator; values: JqlValue[] };

export interface JqlOrder {
  field: string;
  direction: 'asc' | 'desc';
}

export interface JqlQuery {
  /** Null when the query has no restriction (only ORDER BY, or empty). */
  where: JqlExpression | null;
  orderBy: JqlOrder[];
}

/** A query Jira cannot parse; `message` is Jira's error message. */
export class JqlSyntaxError extends Error {}

type Token =
  | { type: 'string'; value: string; pos: number }
  | { type: 'word'; value: string; pos: number }
  | { type: 'op'; value: string; pos: number }
  | { type: 'punct'; value: '(' | ')' | ','; pos: number }
  | { type: 'eof'; value: '<EOF>'; pos: number };

const OPERATORS_TEXT = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'";
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'empty', 'null', 'order', 'by', 'asc', 'desc']);

const at = (pos: number) => `(line 1, character ${pos + 1})`;
const syntaxError = (detail: string, pos: number) => new JqlSyntaxError(`Error in the JQL Query: ${detail} ${at(pos)}`);

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i += 1;
      while (i < jql.length && jql[i] !== c) {
        if (jql[i] === '\\' && i + 1 < jql.length) i += 1;
        value += jql[i];
        i += 1;
      }
      if (i >= jql.length) throw syntaxError(`The quoted string '${value}' has not been completed.`, start);
      i += 1;
      tokens.push({ type: 'string', value, pos: start });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: 'punct', value: c, pos: i });
      i += 1;
      continue;
    }
    const op = /^(!=|!~|>=|<=|=|~|>|<)/.exec(jql.slice(i))?.[1];
    if (op) {
      tokens.push({ type: 'op', value: op, pos: i });
      i += op.length;
      continue;
    }
    const word = /^[A-Za-z0-9_.@+\-/:]+/.exec(jql.slice(i))?.[0];
    if (!word)
      throw syntaxError(
        `The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}' instead.`,
        i,
      );
    tokens.push({ type: 'word', value: word, pos: i });
    i += word.length;
  }
  tokens.push({ type: 'eof', value: '<EOF>', pos: jql.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private get current(): Token {
    return this.tokens[this.index] ?? (this.tokens.at(-1) as Token);
  }

  private peek(offset = 1): Token {
    return this.tokens[this.index + offset] ?? (this.tokens.at(-1) as Token);
  }

  /** Not a type guard on purpose: `current` changes as the parser advances. */
  private isPunct(value: '(' | ')' | ',', offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'punct' && token.value === value;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.type === 'word' && token.value.toLowerCase() === keyword;
  }

  private next(): Token {
    const token = this.current;
    this.index += 1;
    return token;
  }

  query(): JqlQuery {
    let where: JqlExpression | null = null;
    if (this.current.type !== 'eof' && !this.isKeyword(this.current, 'order')) where = this.orExpression();
    const orderBy: JqlOrder[] = [];
    if (this.isKeyword(this.current, 'order')) {
      this.next();
      if (!this.isKeyword(this.current, 'by'))
        throw syntaxError(`Expecting 'BY' but got '${this.current.value}'.`, this.current.pos);
      this.next();
      do {
        if (orderBy.length > 0) this.next(); // the comma
        const field = this.current;
        if (field.type !== 'word' && field.type !== 'string')
          throw syntaxError(`Expecting a field name but got '${field.value}'.`, field.pos);
        this.next();
        let direction: 'asc' | 'desc' = 'asc';
        if (this.isKeyword(this.current, 'asc') || this.isKeyword(this.current, 'desc')) {
          direction = this.next().value.toLowerCase() as 'asc' | 'desc';
        }
        orderBy.push({ field: field.value.toLowerCase(), direction });
      } while (this.isPunct(','));
    }
    if (this.current.type !== 'eof') {
      throw syntaxError(`Expecting either 'OR' or 'AND' but got '${this.current.value}'.`, this.current.pos);
    }
    return { where, orderBy };
  }

  private orExpression(): JqlExpression {
    let left = this.andExpression();
    while (this.isKeyword(this.current, 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.andExpression() };
    }
    return left;
  }

  private andExpression(): JqlExpression {
    let left = this.unary();
    while (this.isKeyword(this.current, 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): JqlExpression {
    if (this.isKeyword(this.current, 'not')) {
      this.next();
      return { kind: 'not', expression: this.unary() };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.orExpression();
      if (!this.isPunct(')')) {
        throw syntaxError(`Expecting ')' but got '${this.current.value}'.`, this.current.pos);
      }
      this.next();
      return inner;
    }
    return this.clause();
  }

  private clause(): JqlExpression {
    const field = this.current;
    if (
      (field.type !== 'word' && field.type !== 'string') ||
      (field.type === 'word' && KEYWORDS.has(field.value.toLowerCase()))
    ) {
      throw syntaxError(
        `Expecting a field name but got '${field.value}'. You must surround '${field.value}' in quotation marks to use it as a field name.`,
        field.pos,
      );
    }
    this.next();
    const operator = this.operator();
    const values = operator === 'in' || operator === 'not in' ? this.list() : [this.value()];
    return { kind: 'clause', field: field.value.toLowerCase(), operator, values };
  }

  private operator(): JqlOperator {
    const token = this.current;
    if (token.type === 'op') {
      this.next();
      return token.value as JqlOperator;
    }
    if (this.isKeyword(token, 'in')) {
      this.next();
      return 'in';
    }
    if (this.isKeyword(token, 'not') && this.isKeyword(this.peek(), 'in')) {
      this.index += 2;
      return 'not in';
    }
    if (this.isKeyword(token, 'is')) {
      this.next();
      if (this.isKeyword(this.current, 'not')) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    throw syntaxError(
      `Expecting operator but got '${token.value}'. The valid operators are ${OPERATORS_TEXT}.`,
      token.pos,
    );
  }

  private list(): JqlValue[] {
    if (!this.isPunct('(')) {
      throw syntaxError(`Expecting '(' but got '${this.current.value}'.`, this.current.pos);
    }
    this.next();
    const values = [this.value()];
    while (this.isPunct(',')) {
      this.next();
      values.push(this.value());
    }
    if (!this.isPunct(')')) {
      throw syntaxError(`Expecting ')' but got '${this.current.value}'.`, this.current.pos);
    }
    this.next();
    return values;
  }

  private value(): JqlValue {
    const token = this.current;
    if (token.type === 'string') {
      this.next();
      return { kind: 'string', value: token.value };
    }
    if (token.type === 'word') {
      const lower = token.value.toLowerCase();
      if (lower === 'empty' || lower === 'null') {
        this.next();
        return { kind: 'empty' };
      }
      if (this.isPunct('(', 1) && this.isPunct(')', 2)) {
        this.index += 3;
        return { kind: 'function', name: lower };
      }
      if (!KEYWORDS.has(lower)) {
        this.next();
        return { kind: 'string', value: token.value };
      }
    }
    throw syntaxError(
      `Expecting either a value, list or function but got '${token.value}'.${token.type === 'word' ? ` You must surround '${token.value}' in quotation marks to use it as a value.` : ''}`,
      token.pos,
    );
  }
}

/** Parses JQL; throws JqlSyntaxError with Jira's message. */
export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql)).query();
}
