/** The three wire protocols served on the one port. */
export type Protocol = "connect" | "grpc" | "grpc-web";

/** Tells the protocol of a request from its content type. */
export function protocolOf(contentType: string | undefined): Protocol {
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  return "connect";
}
