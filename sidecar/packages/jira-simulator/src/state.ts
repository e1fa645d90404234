/** The simulated Jira site: accounts, projects, issues and the status catalogue. */
import { createHash } from 'node:crypto';
import type { JiraAccountSeed, JiraSeed } from './types';

export interface StatusRec {
  id: string;
  name: string;
  category: { id: number; key: 'new' | 'indeterminate' | 'done'; colorName: string; name: string };
  icon: string;
}

/** Jira's default workflow statuses, with their real ids and categories. */
export const STATUSES: StatusRec[] = [
  {
    id: '10000',
    name: 'To Do',
    category: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
    icon: 'open.png',
  },
  {
    id: '3',
    name: 'In Progress',
    category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
    icon: 'inprogress.png',
  },
  {
    id: '10002',
    name: 'In Review',
    category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
    icon: 'inprogress.png',
  },
  { id: '10001', name: 'Done', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' }, icon: 'closed.png' },
];

export interface AccountRec {
  email: string;
  apiTokens: string[];
  displayName: string;
  accountId: string;
  active: boolean;
  utcOffsetMinutes: number;
}

export interface IssueRec {
  id: number;
  key: string;
  number: number;
  summary: string;
  status: StatusRec;
  assignee: AccountRec | null;
  /** Epoch milliseconds. */
  created: number;
  project: ProjectRec;
}

export interface ProjectRec {
  id: number;
  key: string;
  name: string;
  /** Lower-cased emails, or null for everyone. */
  visibleTo: Set<string> | null;
  issues: IssueRec[];
}

const lower = (s: string) => s.toLowerCase();

export function statusByName(name: string): StatusRec | undefined {
  return STATUSES.find(s => lower(s.name) === lower(name));
}

export class JiraState {
  readonly accounts = new Map<string, AccountRec>();
  readonly projects = new Map<string, ProjectRec>();
  private nextIssueId = 10_000;
  private nextProjectId = 10_000;

  applySeed(seed: JiraSeed): void {
    for (const account of seed.accounts) this.addAccount(account);
    for (const project of seed.projects) {
      const key = project.key.toUpperCase();
      const rec: ProjectRec = {
        id: project.id ?? (this.nextProjectId += 1),
        key,
        name: project.name,
        visibleTo: project.visibleTo ? new Set(project.visibleTo.map(lower)) : null,
        issues: [],
      };
      let number = 0;
      for (const issue of project.issues) {
        number = issue.number ?? number + 1;
        const status = statusByName(issue.status);
        if (!status) throw new Error(`issue ${key}-${number}: unknown status ${issue.status}`);
        const assignee = issue.assignee ? this.accounts.get(lower(issue.assignee)) : null;
        if (issue.assignee && !assignee) throw new Error(`issue ${key}-${number}: unknown assignee ${issue.assignee}`);
        const created = Date.parse(issue.created);
        if (Number.isNaN(created)) throw new Error(`issue ${key}-${number}: bad created ${issue.created}`);
        rec.issues.push({
          id: (this.nextIssueId += 1),
          key: `${key}-${number}`,
          number,
          summary: issue.summary,
          status,
          assignee: assignee ?? null,
          created,
          project: rec,
        });
      }
      this.projects.set(key, rec);
    }
  }

  private addAccount(seed: JiraAccountSeed): void {
    this.accounts.set(lower(seed.email), {
      email: seed.email,
      apiTokens: [...seed.apiTokens],
      displayName: seed.displayName,
      accountId: seed.accountId ?? `712020:${createHash('sha1').update(lower(seed.email)).digest('hex').slice(0, 32)}`,
      active: seed.active ?? true,
      utcOffsetMinutes: seed.utcOffsetMinutes ?? 0,
    });
  }

  /** The account these Basic credentials belong to, or undefined. */
  authenticate(email: string, apiToken: string): AccountRec | undefined {
    const account = this.accounts.get(lower(email));
    return account?.active && account.apiTokens.includes(apiToken) ? account : undefined;
  }

  /** Projects the account may browse (others look as if they did not exist, as in Jira). */
  visibleProjects(account: AccountRec): ProjectRec[] {
    return [...this.projects.values()].filter(p => p.visibleTo === null || p.visibleTo.has(lower(account.email)));
  }

  findAccount(value: string): AccountRec | undefined {
    const v = lower(value);
    return [...this.accounts.values()].find(
      a => lower(a.email) === v || lower(a.accountId) === v || lower(a.displayName) === v,
    );
  }
}
