/**
 * Validates response bodies against GitHub's official OpenAPI description
 * (@octokit/openapi, a devDependency: only tests import this module).
 *
 * The description is OpenAPI 3.0: `nullable` is turned into JSON Schema
 * (`type: [t, "null"]` or `anyOf [..., {type: null}]`), `$ref`s to
 * `#/components/...` are resolved inside the loaded document, and ajv runs
 * with `strict: false` and ajv-formats. In strict mode (default) every object
 * schema that lists `properties` also gets `additionalProperties: false`, so a
 * field the description does not know (a typo, an invented field) fails too.
 * (No response schema used here has `allOf`, where that would be wrong.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvModule, { type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

type Json = Record<string, unknown>;

// ajv and ajv-formats are CommonJS; take the default export whichever way the loader presents it.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
  formatsModule) as typeof formatsModule;

export type SpecName = 'api.github.com' | 'ghes-3.19' | 'ghes-3.18' | 'ghes-3.17';

export interface ResponseCheck {
  ok: boolean;
  /** ajv errors, one line each. */
  errors: string[];
  /** False when the operation does not document this status and a generic error schema was used. */
  documented: boolean;
}

const DOC_ID = 'https://openapi.github.local/spec.json';

const specCache = new Map<SpecName, Json>();

export function loadSpec(name: SpecName): Json {
  const cached = specCache.get(name);
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve(`@octokit/openapi/generated/${name}.json`);
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Json;
  specCache.set(name, spec);
  return spec;
}

/** OpenAPI 3.0 schema → JSON Schema (draft-07 as ajv runs it). */
export function normalizeSchema(node: unknown, strict: boolean, rewriteRefs: boolean): unknown {
  if (Array.isArray(node)) return node.map(n => normalizeSchema(n, strict, rewriteRefs));
  if (node === null || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (
      key === 'nullable' ||
      key === 'example' ||
      key === 'examples' ||
      key === 'discriminator' ||
      key.startsWith('x-')
    )
      continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, schema]) => [name, normalizeSchema(schema, strict, rewriteRefs)]),
      );
      continue;
    }
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = rewriteRefs && value.startsWith('#/') ? `${DOC_ID}${value}` : value;
      continue;
    }
    if (key === 'enum' || key === 'required' || key === 'default') {
      out[key] = value;
      continue;
    }
    out[key] = normalizeSchema(value, strict, rewriteRefs);
  }
  if (
    strict &&
    out.properties &&
    out.additionalProperties === undefined &&
    (out.type === 'object' || out.type === undefined)
  ) {
    out.additionalProperties = false;
  }
  if (src.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

export class OpenApiResponseValidator {
  private readonly ajv: InstanceType<typeof AjvModule>;
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(
    readonly specName: SpecName,
    private readonly spec: Json,
    readonly strict: boolean,
  ) {
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.ajv);
    const components = spec.components as Json;
    this.ajv.addSchema({ $id: DOC_ID, components: { schemas: normalizeSchema(components.schemas, strict, false) } });
  }

  static load(specName: SpecName = 'api.github.com', options: { strict?: boolean } = {}): OpenApiResponseValidator {
    return new OpenApiResponseValidator(specName, loadSpec(specName), options.strict ?? true);
  }

  /** The raw operation object, or undefined. */
  operation(method: string, template: string): Json | undefined {
    const paths = this.spec.paths as Record<string, Json | undefined>;
    return paths[template]?.[method.toLowerCase()] as Json | undefined;
  }

  /** The response object for a status, following `#/components/responses/...`. */
  private response(method: string, template: string, status: number): Json | undefined {
    const op = this.operation(method, template);
    const responses = (op?.responses ?? {}) as Record<string, Json>;
    let response = responses[String(status)];
    const ref = response?.$ref;
    if (typeof ref === 'string') {
      const name = ref.split('/').at(-1) ?? '';
      response = ((this.spec.components as Json).responses as Record<string, Json>)[name];
    }
    return response;
  }

  documentedStatuses(method: string, template: string): number[] {
    const op = this.operation(method, template);
    return Object.keys((op?.responses ?? {}) as Json).map(Number);
  }

  /** Validates a response. `body` is the parsed JSON, or undefined for an empty body. */
  check(method: string, template: string, status: number, body: unknown): ResponseCheck {
    if (!this.operation(method, template)) {
      return { ok: false, errors: [`${this.specName} has no operation ${method} ${template}`], documented: false };
    }
    const response = this.response(method, template, status);
    let documented = response !== undefined;
    let schema: unknown;
    if (response) {
      const content = response.content as Record<string, Json> | undefined;
      schema = content?.['application/json']?.schema;
      if (!content) {
        return body === undefined
          ? { ok: true, errors: [], documented }
          : {
              ok: false,
              errors: [`status ${status} is documented without a body, got ${JSON.stringify(body).slice(0, 200)}`],
              documented,
            };
      }
    } else if (status >= 400) {
      documented = false;
      schema = { $ref: `#/components/schemas/${status === 422 ? 'validation-error' : 'basic-error'}` };
    } else {
      return { ok: false, errors: [`status ${status} is not documented for ${method} ${template}`], documented: false };
    }
    const key = `${method} ${template} ${status} ${documented}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(normalizeSchema(schema, this.strict, true) as object);
      this.compiled.set(key, validate);
    }
    const ok = validate(body) as boolean;
    return {
      ok,
      errors: ok
        ? []
        : (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`),
      documented,
    };
  }
}
