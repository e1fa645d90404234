import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  ActiveRunSchema,
  DeployableServiceSchema,
  DeployableVersionSchema,
  DeploymentEnvironmentSchema,
  DeploymentRecordSchema,
  DeploymentRunSchema,
  DeploymentState,
  EnvironmentStatusSchema,
  PendingApprovalSchema,
  PipelineSchema,
  ReviewDecision,
  ReviewerSchema,
  RunJobSchema,
  VersionKind,
  WorkflowSchema,
} from "../../gen/idp/plugins/v1/deployments_pb.js";
import type {
  ActiveRun,
  DeployableService,
  DeployableVersion,
  DeploymentEnvironment,
  DeploymentRecord,
  DeploymentRun,
  EnvironmentStatus,
  PendingApproval,
  Pipeline,
  Workflow,
} from "../../gen/idp/plugins/v1/deployments_pb.js";
import { text } from "../plugin-json.js";
import type * as Api from "./contract.js";

/**
 * JSON of the deployment plugin ↔ idp.plugins.v1 messages. Enum values are mapped
 * explicitly (never by string manipulation), so a state the gateway does not know
 * becomes UNSPECIFIED instead of a wrong state. Absent or null values become the
 * proto defaults ("" / 0 / unset timestamp).
 */

const STATES: Readonly<Record<Api.DeploymentState, DeploymentState>> = {
  pending: DeploymentState.PENDING,
  queued: DeploymentState.QUEUED,
  running: DeploymentState.RUNNING,
  success: DeploymentState.SUCCESS,
  failed: DeploymentState.FAILED,
  cancelled: DeploymentState.CANCELLED,
  waiting_approval: DeploymentState.WAITING_APPROVAL,
};

export function deploymentStateOf(state: unknown): DeploymentState {
  return typeof state === "string" && Object.hasOwn(STATES, state) ? STATES[state as Api.DeploymentState] : DeploymentState.UNSPECIFIED;
}

const VERSION_KINDS: Readonly<Record<Api.Version["kind"], VersionKind>> = {
  tag: VersionKind.TAG,
  commit: VersionKind.COMMIT,
};

export function versionKindOf(kind: unknown): VersionKind {
  return typeof kind === "string" && Object.hasOwn(VERSION_KINDS, kind)
    ? VERSION_KINDS[kind as Api.Version["kind"]]
    : VersionKind.UNSPECIFIED;
}

/** The plugin's word for a review decision; undefined for UNSPECIFIED (validation refuses it first). */
export function reviewDecisionOf(decision: ReviewDecision): Api.ReviewInput["decision"] | undefined {
  if (decision === ReviewDecision.APPROVE) return "approve";
  if (decision === ReviewDecision.REJECT) return "reject";
  return undefined;
}

const int = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : 0);
const int64 = (value: unknown): bigint => BigInt(int(value));

function timestamp(value: unknown): Timestamp | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : timestampFromDate(date);
}

/** Leaves an unset timestamp out of a message init (proto3 message fields are optional). */
function withTimestamp<K extends string>(key: K, value: unknown): { [P in K]?: Timestamp } {
  const converted = timestamp(value);
  return (converted ? { [key]: converted } : {}) as { [P in K]?: Timestamp };
}

export function toEnvironment(environment: Api.Environment): DeploymentEnvironment {
  return create(DeploymentEnvironmentSchema, {
    service: text(environment.service),
    name: text(environment.name),
    order: int(environment.order),
    repository: text(environment.repository),
    workflow: text(environment.workflow),
    job: text(environment.job),
    githubEnvironment: text(environment.githubEnvironment),
    ref: text(environment.ref),
    versionInput: text(environment.versionInput),
    environmentInput: text(environment.environmentInput),
    githubApiUrl: text(environment.githubApiUrl),
    ...withTimestamp("updatedAt", environment.updatedAt),
    updatedBy: text(environment.updatedBy),
  });
}

/** The body of PUT …/environments/:environment; empty optional fields are left to the plugin's defaults. */
export function environmentInputOf(environment: DeploymentEnvironment): Api.EnvironmentInput {
  const optional = (value: string) => (value === "" ? undefined : value);
  const input: Api.EnvironmentInput = {
    order: environment.order,
    repository: environment.repository,
    workflow: environment.workflow,
    job: optional(environment.job),
    githubEnvironment: optional(environment.githubEnvironment),
    ref: optional(environment.ref),
    versionInput: optional(environment.versionInput),
    environmentInput: optional(environment.environmentInput),
    githubApiUrl: optional(environment.githubApiUrl),
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Api.EnvironmentInput;
}

export function toService(service: Api.ServicesResponse["services"][number]): DeployableService {
  return create(DeployableServiceSchema, {
    name: text(service.name),
    environments: (service.environments ?? []).map(text),
    repositories: (service.repositories ?? []).map(text),
  });
}

export function toWorkflow(workflow: Api.Workflow): Workflow {
  return create(WorkflowSchema, {
    id: int64(workflow.id),
    name: text(workflow.name),
    path: text(workflow.path),
    state: text(workflow.state),
    acceptsDispatch: workflow.acceptsDispatch === true,
    inputs: (workflow.inputs ?? []).map(text),
    htmlUrl: text(workflow.htmlUrl),
  });
}

export function toVersion(version: Api.Version): DeployableVersion {
  return create(DeployableVersionSchema, {
    kind: versionKindOf(version.kind),
    name: text(version.name),
    sha: text(version.sha),
    message: text(version.message),
    author: text(version.author),
    ...withTimestamp("committedAt", version.committedAt),
    htmlUrl: text(version.htmlUrl),
  });
}

export function toRun(run: Api.DeploymentRun): DeploymentRun {
  return create(DeploymentRunSchema, {
    runId: int64(run.runId),
    environment: text(run.environment),
    version: text(run.version),
    state: deploymentStateOf(run.state),
    apiUrl: text(run.apiUrl),
    htmlUrl: text(run.htmlUrl),
  });
}

function toActiveRun(run: Api.ActiveRun): ActiveRun {
  return create(ActiveRunSchema, {
    runId: int64(run.runId),
    version: text(run.version),
    state: deploymentStateOf(run.state),
    status: text(run.status),
    conclusion: text(run.conclusion),
    actor: text(run.actor),
    ...withTimestamp("startedAt", run.startedAt),
    ...withTimestamp("completedAt", run.completedAt),
    htmlUrl: text(run.htmlUrl),
    ...(run.job
      ? {
          job: create(RunJobSchema, {
            id: int64(run.job.id),
            name: text(run.job.name),
            status: text(run.job.status),
            conclusion: text(run.job.conclusion),
            htmlUrl: text(run.job.htmlUrl),
          }),
        }
      : {}),
  });
}

function toPendingApproval(approval: Api.PendingApproval): PendingApproval {
  return create(PendingApprovalSchema, {
    githubEnvironmentId: int64(approval.githubEnvironmentId),
    githubEnvironment: text(approval.githubEnvironment),
    reviewers: (approval.reviewers ?? []).map((reviewer) =>
      create(ReviewerSchema, { type: text(reviewer.type), name: text(reviewer.name), htmlUrl: text(reviewer.htmlUrl) }),
    ),
    waitTimerMinutes: int(approval.waitTimerMinutes),
    ...withTimestamp("waitTimerStartedAt", approval.waitTimerStartedAt),
    currentUserCanApprove: approval.currentUserCanApprove === true,
  });
}

function toEnvironmentStatus(status: Api.EnvironmentStatus): EnvironmentStatus {
  return create(EnvironmentStatusSchema, {
    environment: text(status.environment),
    order: int(status.order),
    state: deploymentStateOf(status.state),
    currentVersion: text(status.currentVersion),
    currentSha: text(status.currentSha),
    ...withTimestamp("deployedAt", status.deployedAt),
    ...(status.activeRun ? { activeRun: toActiveRun(status.activeRun) } : {}),
    pendingApprovals: (status.pendingApprovals ?? []).map(toPendingApproval),
    htmlUrl: text(status.htmlUrl),
  });
}

export function toPipeline(pipeline: Api.Pipeline): Pipeline {
  return create(PipelineSchema, {
    service: text(pipeline.service),
    environments: (pipeline.environments ?? []).map(toEnvironmentStatus),
    ...withTimestamp("observedAt", pipeline.observedAt),
  });
}

export function toRecord(record: Api.DeploymentRecord): DeploymentRecord {
  return create(DeploymentRecordSchema, {
    runId: int64(record.runId),
    environment: text(record.environment),
    version: text(record.version),
    sha: text(record.sha),
    state: deploymentStateOf(record.state),
    actor: text(record.actor),
    ...withTimestamp("createdAt", record.createdAt),
    ...withTimestamp("completedAt", record.completedAt),
    htmlUrl: text(record.htmlUrl),
    rollbackOfRunId: int64(record.rollbackOfRunId),
  });
}
