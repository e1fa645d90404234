import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { DeploymentService } from "../../src/gen/idp/plugins/v1/deployments_pb.js";
import { pluginsClient, transportFor } from "./gateway.js";
import type { TransportKind } from "./gateway.js";

export function deploymentsClient(kind: TransportKind, baseUrl: string): Client<typeof DeploymentService> {
  return createClient(DeploymentService, transportFor(kind, baseUrl));
}

/** Call options: the Orbit token, and the user's own GitHub token when given. */
export function asUser(token: string, githubToken?: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${token}`, ...(githubToken ? { "x-github-token": githubToken } : {}) } };
}

/** A server stream read in the background, so a test can wait for the message it expects. */
export interface StreamReader<T> {
  readonly received: readonly T[];
  /** The next message (after those already returned) that matches; rejects when the stream ends or fails first. */
  next(matches?: (message: T) => boolean, what?: string, deadlineMs?: number): Promise<T>;
  /** Resolves with the error the stream ended with (undefined when it ended cleanly). */
  readonly finished: Promise<unknown>;
}

export function readStream<T>(stream: AsyncIterable<T>): StreamReader<T> {
  const received: T[] = [];
  const listeners = new Set<() => void>();
  let ended = false;
  let failure: unknown;
  const notify = () => listeners.forEach((listener) => listener());
  const finished = (async () => {
    try {
      for await (const message of stream) {
        received.push(message);
        notify();
      }
    } catch (error) {
      failure = error;
    } finally {
      ended = true;
      notify();
    }
    return failure;
  })();
  let position = 0;

  return {
    received,
    finished,
    async next(matches = () => true, what = "a message", deadlineMs = 15_000) {
      const until = Date.now() + deadlineMs;
      for (;;) {
        while (position < received.length) {
          const message = received[position++] as T;
          if (matches(message)) return message;
        }
        if (ended) throw new Error(`the stream ended (${failure ? String(failure) : "cleanly"}) before ${what}`);
        const remaining = until - Date.now();
        if (remaining <= 0) throw new Error(`timed out waiting for ${what}; received ${received.length} messages`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, remaining);
          function done() {
            clearTimeout(timer);
            listeners.delete(done);
            resolve();
          }
          listeners.add(done);
        });
      }
    },
  };
}

/**
 * Enables the deployment plugin in a workspace of a gateway, pointed at a GitHub
 * (simulator) with a workspace token kept as an encrypted secret.
 */
export async function enableDeploymentPlugin(
  gateway: { url: string; token(claims: { workspaceId?: string; admin?: boolean }): Promise<string> },
  workspaceId: string,
  githubApiUrl: string,
  githubToken: string,
): Promise<void> {
  const admin = { headers: { authorization: `Bearer ${await gateway.token({ workspaceId, admin: true })}` } };
  const plugins = pluginsClient("connect-json", gateway.url);
  await plugins.enablePlugin({ workspaceId, pluginId: "deployment", config: { github_api_url: githubApiUrl } }, admin);
  await plugins.updatePluginConfig({ workspaceId, pluginId: "deployment", secrets: { github_token: githubToken } }, admin);
}
