// @ts-check

/**
 * The deployment plugin's own tables: where each service deploys (per
 * workspace) and the deployments it started. GitHub run objects do not carry
 * their workflow inputs, so `deployments` is how the plugin knows which
 * version a run deployed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_environments', table => {
    table.comment('Where one environment of a service deploys, per workspace');
    table.string('workspace_id', 128).notNullable();
    table.string('service', 63).notNullable();
    table.string('name', 63).notNullable();
    table.integer('order').notNullable().comment('Position in the pipeline; lower comes first');
    table.string('repository', 201).notNullable().comment('owner/name');
    table.string('workflow', 255).notNullable().comment('Workflow file name or numeric id');
    table.string('job', 255).nullable();
    table.string('github_environment', 255).nullable();
    table.string('ref', 255).notNullable().defaultTo('main');
    table.string('version_input', 100).notNullable().defaultTo('version');
    table
      .string('environment_input', 100)
      .notNullable()
      .defaultTo('environment')
      .comment('"-" = the workflow takes no environment input');
    table.string('github_api_url', 2048).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.string('updated_by', 128).nullable();
    table.primary(['workspace_id', 'service', 'name']);
  });

  await knex.schema.createTable('deployments', table => {
    table.comment('Deployments started through the plugin (trigger and rollback)');
    table.bigIncrements('id');
    table.string('workspace_id', 128).notNullable();
    table.string('service', 63).notNullable();
    table.string('environment', 63).notNullable();
    table.string('repository', 201).notNullable().comment('Where the run lives, as configured when it started');
    table.bigInteger('run_id').notNullable();
    table.string('version', 255).nullable();
    table.string('sha', 40).nullable();
    table.string('actor', 128).nullable().comment('GitHub login or Orbit user');
    table.string('state', 32).notNullable();
    table.string('html_url', 2048).notNullable();
    table.string('api_url', 2048).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('completed_at', { useTz: true }).nullable();
    table.bigInteger('rollback_of_run_id').nullable();
    table.unique(['workspace_id', 'service', 'environment', 'run_id']);
    table.index(['workspace_id', 'service', 'environment', 'created_at'], 'deployments_environment_time_idx');
    table.index(['workspace_id', 'service', 'created_at'], 'deployments_service_time_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployments');
  await knex.schema.dropTable('deployment_environments');
};
