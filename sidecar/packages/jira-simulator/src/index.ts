export { createJiraSimulator, JIRA_CONTROL_ENDPOINTS } from './server';
export { demoJiraSeed, DEMO_JIRA_ACCOUNTS, DEMO_JIRA_CREDENTIALS } from './seed';
export {
  parseJql,
  JqlSyntaxError,
  type JqlQuery,
  type JqlExpression,
  type JqlValue,
  type JqlOrder,
  type JqlOperator,
} from './jql';
export type * from './types';
