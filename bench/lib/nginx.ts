import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/support/redis-server.js";
import { exitedEarly, stopChild } from "./child-process.js";
import type { CommandLine } from "./cpu.js";
import { waitFor } from "./wait.js";

export interface NginxProxy {
  readonly url: string;
  readonly pid: number;
  readonly version: string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  readonly upstreamUrl: string;
  /** Headers nginx adds to every proxied request (the identity the gateway would add). */
  readonly headers: Readonly<Record<string, string>>;
  /** Wraps the command line, e.g. to run nginx on a given core. */
  readonly wrap?: (argv: readonly string[]) => CommandLine;
}

/**
 * nginx as the reference reverse proxy: one process (master_process off, so it runs
 * as the current user without dropping privileges), a keep-alive upstream, no access
 * log (the gateway runs with its access log off too), config and temp files in a
 * private temp dir that is removed on stop.
 */
export async function startNginx(options: NginxOptions): Promise<NginxProxy> {
  const dir = await mkdtemp(join(tmpdir(), "orbit-bench-nginx-"));
  const port = await freePort();
  const upstream = new URL(options.upstreamUrl);
  const setHeaders = Object.entries(options.headers)
    .map(([name, value]) => `      proxy_set_header ${name} "${value.replaceAll('"', '\\"')}";`)
    .join("\n");
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream sidecar {
    server ${upstream.hostname}:${upstream.port};
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://sidecar;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
${setHeaders}
    }
  }
}
`;
  const configFile = join(dir, "nginx.conf");
  // The config holds the service token: readable by the owner only.
  await writeFile(configFile, config, { mode: 0o600 });
  const argv = ["nginx", "-p", dir, "-c", configFile];
  const { command, args } = options.wrap ? options.wrap(argv) : { command: "nginx", args: argv.slice(1) };
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `nginx at ${url}`,
    10_000,
    async () => (await fetch(`${url}/`)).status > 0,
    exitedEarly(child, () => output),
  );
  return {
    url,
    pid: child.pid ?? 0,
    version: nginxVersion(),
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function nginxVersion(): string {
  // nginx prints "nginx version: nginx/1.22.1" on stderr.
  return (
    spawnSync("nginx", ["-v"], { encoding: "utf8" })
      .stderr.trim()
      .replace(/^nginx version: /, "") || "unknown"
  );
}
