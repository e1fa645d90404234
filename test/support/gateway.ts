import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import type { Client, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { loadCatalogue } from "../../src/catalogue/catalogue.js";
import { loadConfig } from "../../src/config/load-config.js";
import { mintServiceToken } from "../../src/auth/dev-token.js";
import type { TokenClaims } from "../../src/auth/dev-token.js";
import { createGateway } from "../../src/gateway.js";
import { openPluginStore } from "../../src/store/open-plugin-store.js";
import type { Gateway } from "../../src/gateway.js";
import { PluginsService } from "../../src/gen/idp/plugins/v1/plugins_pb.js";
import { createLogger } from "../../src/lib/logger.js";
import type { Logger } from "../../src/lib/logger.js";

export interface RunningGateway {
  readonly url: string;
  readonly secret: string;
  readonly gateway: Gateway;
  readonly logLines: string[];
  token(claims: Partial<TokenClaims> & { workspaceId?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a real gateway on an ephemeral port, configured from the given environment
 * exactly as in production (loadConfig), with log lines captured for assertions.
 */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const secret = env.ORBIT_SVC_AUTH_SECRET ?? randomBytes(32).toString("base64");
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    ORBIT_SVC_AUTH_SECRET: secret,
    ORBIT_DATA_DIR: "memory://",
    ...env,
  });
  const logLines: string[] = [];
  const logger: Logger = createLogger("info", { write: (line: string) => void logLines.push(line) });
  const catalogue = loadCatalogue();
  const store = await openPluginStore(config, catalogue, logger);
  const gateway = await createGateway({ config, logger, catalogue, store, authSecret: secret });
  const url = await gateway.listen();
  return {
    url,
    secret,
    gateway,
    logLines,
    token: (claims) => mintServiceToken(secret, { userId: "user-1", ...claims }),
    close: () => gateway.close(),
  };
}

export type TransportKind = "connect-json" | "connect-binary" | "grpc" | "grpc-web";
export const TRANSPORTS: readonly TransportKind[] = ["connect-json", "connect-binary", "grpc", "grpc-web"];

export function transportFor(kind: TransportKind, baseUrl: string): Transport {
  switch (kind) {
    case "connect-json":
      return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false });
    case "connect-binary":
      return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true });
    case "grpc":
      return createGrpcTransport({ baseUrl });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl, httpVersion: "1.1" });
  }
}

export function pluginsClient(kind: TransportKind, baseUrl: string): Client<typeof PluginsService> {
  return createClient(PluginsService, transportFor(kind, baseUrl));
}

export function bearer(token: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${token}` } };
}
