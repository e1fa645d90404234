import { type DatabaseService, isDatabaseConflictError, resolvePackagePath } from '@backstage/backend-plugin-api';
import type { DeploymentState, Environment } from '@internal/plugin-deployment-common';
import type { Knex } from 'knex';
import {
  type DeploymentCursor,
  type DeploymentRow,
  type DeploymentStore,
  type EnvironmentWrite,
  FINAL_STATES,
  type NewDeployment,
  type ServiceSummary,
} from './DeploymentStore';

const migrationsDir = resolvePackagePath('@internal/plugin-deployment-backend', 'migrations');

const ENVIRONMENTS = 'deployment_environments';
const DEPLOYMENTS = 'deployments';

interface EnvironmentDbRow {
  workspace_id: string;
  service: string;
  name: string;
  order: number;
  repository: string;
  workflow: string;
  job: string | null;
  github_environment: string | null;
  ref: string;
  version_input: string;
  environment_input: string;
  github_api_url: string | null;
  updated_at: Date | string | number;
  updated_by: string | null;
}

interface DeploymentDbRow {
  id: number | string;
  workspace_id: string;
  service: string;
  environment: string;
  repository: string;
  run_id: number | string;
  version: string | null;
  sha: string | null;
  actor: string | null;
  state: string;
  html_url: string;
  api_url: string;
  created_at: Date | string | number;
  completed_at: Date | string | number | null;
  rollback_of_run_id: number | string | null;
}

/**
 * Timestamps come back as `Date` from PostgreSQL and as epoch milliseconds
 * from SQLite (knex binds `Date` as a number there).
 */
function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

/** PostgreSQL returns bigint columns as strings. */
function toNumber(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

function toEnvironment(row: EnvironmentDbRow): Environment {
  return {
    service: row.service,
    name: row.name,
    order: row.order,
    repository: row.repository,
    workflow: row.workflow,
    job: row.job,
    githubEnvironment: row.github_environment,
    ref: row.ref,
    versionInput: row.version_input,
    environmentInput: row.environment_input,
    githubApiUrl: row.github_api_url,
    updatedAt: toDate(row.updated_at).toISOString(),
    updatedBy: row.updated_by,
  };
}

function toDeployment(row: DeploymentDbRow): DeploymentRow {
  return {
    id: toNumber(row.id),
    service: row.service,
    environment: row.environment,
    repository: row.repository,
    runId: toNumber(row.run_id),
    version: row.version,
    sha: row.sha,
    actor: row.actor,
    state: row.state as DeploymentState,
    htmlUrl: row.html_url,
    apiUrl: row.api_url,
    createdAt: toDate(row.created_at),
    completedAt: row.completed_at === null ? null : toDate(row.completed_at),
    rollbackOfRunId: row.rollback_of_run_id === null ? null : toNumber(row.rollback_of_run_id),
  };
}

/** The knex (SQLite in tests, PostgreSQL in production) implementation of {@link DeploymentStore}. */
export class DatabaseDeploymentStore implements DeploymentStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseDeploymentStore> {
    const { database } = options;
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseDeploymentStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async listServices(workspaceId: string): Promise<ServiceSummary[]> {
    const rows = await this.db<EnvironmentDbRow>(ENVIRONMENTS)
      .where({ workspace_id: workspaceId })
      .orderBy([{ column: 'service' }, { column: 'order' }, { column: 'name' }]);
    const services = new Map<string, ServiceSummary>();
    for (const row of rows) {
      let summary = services.get(row.service);
      if (!summary) {
        summary = { name: row.service, environments: [], repositories: [] };
        services.set(row.service, summary);
      }
      summary.environments.push(row.name);
      if (!summary.repositories.includes(row.repository)) {
        summary.repositories.push(row.repository);
      }
    }
    return [...services.values()];
  }

  async listEnvironments(workspaceId: string, service: string): Promise<Environment[]> {
    const rows = await this.db<EnvironmentDbRow>(ENVIRONMENTS)
      .where({ workspace_id: workspaceId, service })
      .orderBy([{ column: 'order' }, { column: 'name' }]);
    return rows.map(toEnvironment);
  }

  async getEnvironment(workspaceId: string, service: string, name: string): Promise<Environment | undefined> {
    const row = await this.db<EnvironmentDbRow>(ENVIRONMENTS)
      .where({ workspace_id: workspaceId, service, name })
      .first();
    return row ? toEnvironment(row) : undefined;
  }

  async upsertEnvironment(
    workspaceId: string,
    environment: EnvironmentWrite,
  ): Promise<{ environment: Environment; created: boolean }> {
    const key = {
      workspace_id: workspaceId,
      service: environment.service,
      name: environment.name,
    };
    const values = {
      order: environment.order,
      repository: environment.repository,
      workflow: environment.workflow,
      job: environment.job,
      github_environment: environment.githubEnvironment,
      ref: environment.ref,
      version_input: environment.versionInput,
      environment_input: environment.environmentInput,
      github_api_url: environment.githubApiUrl,
      updated_at: environment.updatedAt,
      updated_by: environment.updatedBy,
    };
    const update = () => this.db(ENVIRONMENTS).where(key).update(values);

    let created = false;
    if ((await update()) === 0) {
      try {
        await this.db(ENVIRONMENTS).insert({ ...key, ...values });
        created = true;
      } catch (error) {
        // A concurrent PUT created it first: ours is the later write.
        if (!isDatabaseConflictError(error)) throw error;
        await update();
      }
    }
    const stored = await this.getEnvironment(workspaceId, environment.service, environment.name);
    if (!stored) {
      throw new Error('Environment vanished while it was being written');
    }
    return { environment: stored, created };
  }

  async deleteEnvironment(workspaceId: string, service: string, name: string): Promise<boolean> {
    const deleted = await this.db(ENVIRONMENTS).where({ workspace_id: workspaceId, service, name }).delete();
    return deleted > 0;
  }

  async insertDeployment(workspaceId: string, row: NewDeployment): Promise<DeploymentRow> {
    const [inserted] = await this.db<DeploymentDbRow>(DEPLOYMENTS)
      .insert({
        workspace_id: workspaceId,
        service: row.service,
        environment: row.environment,
        repository: row.repository,
        run_id: row.runId,
        version: row.version,
        sha: row.sha,
        actor: row.actor,
        state: row.state,
        html_url: row.htmlUrl,
        api_url: row.apiUrl,
        created_at: row.createdAt,
        completed_at: row.completedAt,
        rollback_of_run_id: row.rollbackOfRunId,
      })
      .returning('id');
    if (inserted === undefined) throw new Error('Insert returned no id');
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    return { ...row, id: toNumber(id) };
  }

  async updateDeployment(
    workspaceId: string,
    id: number,
    update: { state: DeploymentState; completedAt: Date | null; actor?: string },
  ): Promise<void> {
    await this.db(DEPLOYMENTS)
      .where({ workspace_id: workspaceId, id })
      .update({
        state: update.state,
        completed_at: update.completedAt,
        ...(update.actor === undefined ? {} : { actor: update.actor }),
      });
  }

  async findDeployment(
    workspaceId: string,
    service: string,
    environment: string,
    runId: number,
  ): Promise<DeploymentRow | undefined> {
    const row = await this.db<DeploymentDbRow>(DEPLOYMENTS)
      .where({ workspace_id: workspaceId, service, environment, run_id: runId })
      .first();
    return row ? toDeployment(row) : undefined;
  }

  async latestDeployment(
    workspaceId: string,
    service: string,
    environment: string,
  ): Promise<DeploymentRow | undefined> {
    const row = await this.newestFirst().where({ workspace_id: workspaceId, service, environment }).first();
    return row ? toDeployment(row) : undefined;
  }

  async successfulDeployments(
    workspaceId: string,
    service: string,
    environment: string,
    limit: number,
  ): Promise<DeploymentRow[]> {
    const rows = await this.newestFirst()
      .where({
        workspace_id: workspaceId,
        service,
        environment,
        state: 'success',
      })
      .limit(limit);
    return rows.map(toDeployment);
  }

  async unfinishedDeployments(workspaceId: string, service: string, environment: string): Promise<DeploymentRow[]> {
    const rows = await this.newestFirst()
      .where({ workspace_id: workspaceId, service, environment })
      .whereNotIn('state', [...FINAL_STATES]);
    return rows.map(toDeployment);
  }

  async listDeployments(
    workspaceId: string,
    service: string,
    options: { environment?: string; limit: number; after?: DeploymentCursor },
  ): Promise<DeploymentRow[]> {
    const query = this.newestFirst().where({ workspace_id: workspaceId, service }).limit(options.limit);
    if (options.environment !== undefined) {
      query.andWhere({ environment: options.environment });
    }
    const after = options.after;
    if (after) {
      query.andWhere(older =>
        older
          .where('created_at', '<', after.createdAt)
          .orWhere(sameTime => sameTime.where('created_at', '=', after.createdAt).andWhere('id', '<', after.id)),
      );
    }
    return (await query).map(toDeployment);
  }

  private newestFirst() {
    return this.db<DeploymentDbRow>(DEPLOYMENTS).orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  }
}
