import type { Migration } from "../migrate.js";

/** The catalogue as data, per-workspace plugin state, and the audit trail. */
export const initial: Migration = {
  version: "20261121_0001",
  name: "initial",
  sql: /* sql */ `
    CREATE TABLE plugin_catalogue (
      plugin_id     text PRIMARY KEY CHECK (plugin_id <> ''),
      name          text NOT NULL,
      category      text NOT NULL,
      api_base_path text NOT NULL,
      version       text NOT NULL,
      definition    jsonb NOT NULL,
      synced_at     timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE workspace_plugins (
      workspace_id text NOT NULL CHECK (workspace_id <> ''),
      plugin_id    text NOT NULL REFERENCES plugin_catalogue (plugin_id),
      enabled      boolean NOT NULL DEFAULT false,
      -- Non-secret settings: {"name": "value"}.
      config       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
      -- {"name": "v1.<key id>.<iv>.<ciphertext>"}: AES-256-GCM envelopes, never plaintext.
      secrets      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(secrets) = 'object'),
      -- Bumped by every effective change; the optimistic-concurrency token.
      version      integer NOT NULL CHECK (version > 0),
      updated_by   text NOT NULL CHECK (updated_by <> ''),
      updated_at   timestamptz NOT NULL DEFAULT now(),
      created_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, plugin_id)
    );

    CREATE TABLE plugin_audit_log (
      id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workspace_id        text NOT NULL,
      plugin_id           text NOT NULL,
      actor               text NOT NULL CHECK (actor <> ''),
      action              text NOT NULL CHECK (action IN ('enable', 'disable', 'update_config')),
      -- Names only: the audit trail never holds a configuration or secret value.
      changed_config_keys text[] NOT NULL DEFAULT '{}',
      changed_secret_keys text[] NOT NULL DEFAULT '{}',
      -- The workspace_plugins.version this change produced.
      version             integer NOT NULL,
      at                  timestamptz NOT NULL DEFAULT now()
    );

    CREATE INDEX plugin_audit_log_by_plugin ON plugin_audit_log (workspace_id, plugin_id, id DESC);
    CREATE INDEX plugin_audit_log_by_workspace ON plugin_audit_log (workspace_id, id DESC);
  `,
};
