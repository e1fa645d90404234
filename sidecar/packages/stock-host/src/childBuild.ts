import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

// __filename, not __dirname: tsx gives a module loaded from ESM a data: __dirname.
const PACKAGE_DIR = resolve(dirname(__filename), '..');
export const CHILD_SOURCE = resolve(PACKAGE_DIR, 'src/child/main.ts');
/** The child compiled to JavaScript (gitignored): run by plain `node`, no TypeScript loader in each process. */
export const CHILD_BUNDLE = resolve(PACKAGE_DIR, 'dist/child/main.cjs');
/** The source files the bundle was built from, to tell a stale bundle from a fresh one. */
const BUNDLE_INPUTS = `${CHILD_BUNDLE}.inputs.json`;

/** How the supervisor starts a child: its node arguments, and why it is not the compiled bundle if it is not. */
export interface ChildCommand {
  readonly args: readonly string[];
  readonly compiled: boolean;
  readonly note?: string;
}

/**
 * Compiles the child's entry and this repository's own modules it imports (`@internal/*`,
 * which ship TypeScript) into one CommonJS file; every npm package stays an external
 * `require` resolved from node_modules, and the stock plugin's dynamic `import()` is left
 * alone. A package that an `@internal/*` module would find in a node_modules of its own
 * (another version than the sidecar's top level, e.g. egress-common's ipaddr.js) is
 * required by that exact path, so the bundle runs the same code as the sources.
 * esbuild is tsx's own compiler (tsx is a dependency of this package).
 */
export async function buildChild(): Promise<void> {
  const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild') as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [CHILD_SOURCE],
    outfile: CHILD_BUNDLE,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.19',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: PACKAGE_DIR,
    plugins: [
      {
        name: 'npm-packages-external',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, args => {
            if (args.path.startsWith('@internal/')) return undefined; // bundled
            const fromImporter = resolvedFrom(args.path, args.resolveDir);
            const fromBundle = resolvedFrom(args.path, dirname(CHILD_BUNDLE));
            return { path: fromImporter && fromImporter !== fromBundle ? fromImporter : args.path, external: true };
          });
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile?.inputs ?? {}).map(input => resolve(PACKAGE_DIR, input));
  const bundle = result.outputFiles?.find(file => file.path === CHILD_BUNDLE);
  if (!bundle) throw new Error(`esbuild produced no ${CHILD_BUNDLE}`);
  // Written aside and renamed: a sidecar starting a child meanwhile (tests start several) never reads half a file.
  mkdirSync(dirname(CHILD_BUNDLE), { recursive: true });
  const replace = (path: string, contents: string | Uint8Array) => {
    const aside = `${path}.${process.pid}.tmp`;
    writeFileSync(aside, contents);
    renameSync(aside, path);
  };
  replace(CHILD_BUNDLE, bundle.contents);
  replace(BUNDLE_INPUTS, JSON.stringify(inputs)); // last: the bundle counts as fresh only once both are in place
}

/** Where `require(specifier)` from `dir` lands (undefined: a builtin, or not resolvable for require). */
function resolvedFrom(specifier: string, dir: string): string | undefined {
  try {
    const found = require.resolve(specifier, { paths: [dir] });
    return found === specifier ? undefined : found;
  } catch {
    return undefined;
  }
}

/** Whether the bundle exists and no source it was built from changed since. */
export function isChildBundleFresh(): boolean {
  try {
    const builtAt = statSync(CHILD_BUNDLE).mtimeMs;
    const inputs = JSON.parse(readFileSync(BUNDLE_INPUTS, 'utf8')) as string[];
    return inputs.length > 0 && inputs.every(input => statSync(input).mtimeMs <= builtAt);
  } catch {
    return false; // missing bundle or input list, or a source removed: rebuild
  }
}

/**
 * The compiled child, built now if missing or stale (the image builds it ahead, see the
 * Dockerfile); the TypeScript source through tsx if it cannot be built here (e.g. a
 * read-only install), with a note saying so.
 */
export function childCommand(): ChildCommand {
  if (!isChildBundleFresh()) {
    try {
      // esbuild's synchronous API takes no resolver plugin: the build runs as a short process of its own.
      execFileSync(process.execPath, ['--import', 'tsx', __filename], {
        cwd: PACKAGE_DIR,
        stdio: 'pipe',
        timeout: 60_000,
      });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '')
        .trim()
        .split('\n')
        .at(-1);
      return {
        args: ['--import', 'tsx', CHILD_SOURCE],
        compiled: false,
        note: `stock plugin processes run through tsx (more memory, slower start): the compiled child could not be built (${stderr || (error as Error).message}); run \`npm run build:stock-host\` in sidecar/`,
      };
    }
  }
  return { args: [CHILD_BUNDLE], compiled: true };
}

// `node --import tsx src/childBuild.ts`: builds the bundle (the Dockerfile and `npm run build:stock-host`).
if (require.main === module) {
  buildChild().then(
    () => console.log(`built ${CHILD_BUNDLE}`),
    error => {
      console.error(`building the stock plugin child failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
