import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { DeploymentState } from "../gen/idp/plugins/v1/deployments_pb.js";

export const STATE_LABELS: Record<DeploymentState, string> = {
  [DeploymentState.UNSPECIFIED]: "Unknown",
  [DeploymentState.PENDING]: "Pending",
  [DeploymentState.QUEUED]: "Queued",
  [DeploymentState.RUNNING]: "Running",
  [DeploymentState.SUCCESS]: "Success",
  [DeploymentState.FAILED]: "Failed",
  [DeploymentState.CANCELLED]: "Cancelled",
  [DeploymentState.WAITING_APPROVAL]: "Waiting for approval",
};

/** CSS modifier per state (colour-coded in styles.css). */
export const STATE_CLASSES: Record<DeploymentState, string> = {
  [DeploymentState.UNSPECIFIED]: "pending",
  [DeploymentState.PENDING]: "pending",
  [DeploymentState.QUEUED]: "queued",
  [DeploymentState.RUNNING]: "running",
  [DeploymentState.SUCCESS]: "success",
  [DeploymentState.FAILED]: "failed",
  [DeploymentState.CANCELLED]: "cancelled",
  [DeploymentState.WAITING_APPROVAL]: "waiting",
};

export function dateOf(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp && (timestamp.seconds !== 0n || timestamp.nanos !== 0) ? timestampDate(timestamp) : undefined;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago"; the exact time goes in the element's title. */
export function ago(date: Date | undefined, now = Date.now()): string {
  if (!date) return "";
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(seconds, "second");
  if (abs < 2700) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 64_800) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

export function exact(date: Date | undefined): string {
  return date ? date.toLocaleString() : "";
}

export const isFinished = (state: DeploymentState) =>
  state === DeploymentState.SUCCESS || state === DeploymentState.FAILED || state === DeploymentState.CANCELLED;
