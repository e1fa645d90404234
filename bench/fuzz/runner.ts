import { Code, ConnectError } from "@connectrpc/connect";
import type { CallOptions } from "@connectrpc/connect";
import type { ClientProtocol, PluginsClient } from "../lib/plugins-client.js";
import type { FuzzCall } from "./calls.js";

/** What came back: the code, and every byte of the answer a client could read, as text. */
export interface CallOutcome {
  readonly code: string;
  /** Message or error (message, details), response headers and trailers. */
  readonly text: string;
  /** ProxyPluginResponse.data / GetPluginDataResponse.data of a successful call. */
  readonly data?: string;
}

export interface Credentials {
  tokenFor(call: FuzzCall): string;
}

type AnyProcedure = (request: unknown, options: CallOptions) => Promise<unknown>;

export async function execute(
  clients: Readonly<Record<ClientProtocol, PluginsClient>>,
  credentials: Credentials,
  call: FuzzCall,
): Promise<CallOutcome> {
  const seen: string[] = [];
  const capture = (headers: Headers) => headers.forEach((value, name) => seen.push(`${name}: ${value}`));
  // The generated client's methods differ only in message types; the fuzz builds messages as plain objects.
  const method = (clients[call.protocol] as unknown as Record<string, AnyProcedure>)[call.procedure];
  if (!method) throw new Error(`no procedure ${call.procedure}`);
  try {
    const response = await method(call.request, {
      headers: { ...call.headers, authorization: `Bearer ${credentials.tokenFor(call)}` },
      timeoutMs: 15_000,
      onHeader: capture,
      onTrailer: capture,
    });
    const data = (response as { data?: Uint8Array }).data;
    return {
      code: "ok",
      text: `${JSON.stringify(response, readable)}\n${seen.join("\n")}`,
      ...(data ? { data: new TextDecoder().decode(data) } : {}),
    };
  } catch (error) {
    const failure = ConnectError.from(error);
    const metadata: string[] = [];
    failure.metadata.forEach((value, name) => metadata.push(`${name}: ${value}`));
    return {
      code: Code[failure.code],
      text: `${failure.rawMessage}\n${JSON.stringify(failure.details, readable)}\n${metadata.join("\n")}\n${seen.join("\n")}`,
    };
  }
}

/** JSON.stringify replacer: bytes as UTF-8 text (so markers inside them are found), bigints as strings. */
function readable(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}
