import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';

// The production build (`npm run build`): the service entry and everything it imports, packages included, bundled
// by esbuild into ESM files that plain node runs with no node_modules beside them. A bundle starts in about a third
// of the CPU of the same code compiled file by file (one parse instead of ~2,000 module resolutions and loads).
//
// Nothing is external. The packages that read their own files at run time were checked one by one:
// - @fastify/swagger-ui serves static/ from next to its own file: the build copies static/ to <outdir>/swagger-ui/
//   and the `define` below tells agent/src/plugins/openapi.ts where it is.
// - pino's transports and thread-stream start workers from their own files: the service logs with
//   pino.destination (sonic-boom, no worker), so that code is bundled but never runs.
// - @fastify/swagger and ioredis read their own package.json (for a default title and Redis's CLIENT SETINFO
//   lib-ver) inside try/catch: in the bundle they fall back ("1.0.0", overridden by ours; "error-fetching-version").
// - langchain's initChatModel imports a provider package by a computed name: only for a model given as a string,
//   which the service never does (agent/src/llm builds its ChatOpenAI itself).
// - re2js, undici, langsmith's serialisation worker (eval: true) are plain JavaScript and bundle as they are.

const ROOT = join(import.meta.dirname, '..');

/** The service's production entry, and the file name node runs in the output folder. */
export const SERVICE_ENTRY = 'bin/service.ts';
export const SERVICE_BUNDLE = 'service.mjs';
const SWAGGER_UI_DIR = 'swagger-ui';

/** esbuild's ESM output keeps CommonJS packages' require() of node built-ins working through this. */
const REQUIRE_SHIM = "import { createRequire as __lmCreateRequire } from 'node:module'; const require = __lmCreateRequire(import.meta.url);";

/** Package name of a bare specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Refuses a build whose sources import a package that is not a production dependency: a harness package (promptfoo,
 * the Kubernetes client…) must never be pulled into the service, even where a dev install would let it bundle.
 */
function productionDependenciesOnly(dependencies: Record<string, string>): Plugin {
  return {
    name: 'production-dependencies-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.importer.includes('/node_modules/') || isBuiltin(args.path) || args.kind === 'entry-point') return undefined;
        const name = packageName(args.path);
        if (name in dependencies) return undefined;
        return { errors: [{ text: `${relative(ROOT, args.importer)} imports "${name}", which is not in package.json "dependencies": the service must not reach a harness (dev-only) package` }] };
      });
    },
  };
}

export interface ServiceBundle {
  /** Absolute path of the file to run: `node <entryFile> serve`. */
  readonly entryFile: string;
  readonly metafile: Metafile;
}

/**
 * Bundles `entry` (default the service entry) into `outdir` (relative to the repository root): <outdir>/service.mjs, the chunks it loads lazily
 * (import() calls stay lazy: `--help` parses none of the service), and the Swagger UI's assets. Throws with esbuild's
 * messages when the build fails, e.g. when the sources import a package outside "dependencies".
 *
 * @example
 *   const { entryFile } = await bundleService({ outdir: 'dist' });
 *   // node dist/service.mjs serve
 */
export async function bundleService(options: { outdir: string; entry?: string }): Promise<ServiceBundle> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const outdir = resolve(ROOT, options.outdir);
  // Loaded on first use: load/index.ts re-exports this module, and most of its importers never build.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { service: options.entry ?? SERVICE_ENTRY },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Chunks sit beside service.mjs, so import.meta.url has the same folder in every output file (the define below).
    splitting: true,
    chunkNames: '[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Whitespace and syntax only: identifiers keep their names, so stack traces and class names (LangChain's
    // serialisation, error names in logs) read as in the sources. Source maps map lines back (--enable-source-maps);
    // they name the source files without carrying their text, which the mapping does not need.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: REQUIRE_SHIM },
    define: { LUMINAMIND_SWAGGER_UI_DIR: JSON.stringify(`./${SWAGGER_UI_DIR}/`) },
    plugins: [productionDependenciesOnly(pkg.dependencies)],
    metafile: true,
    logLevel: 'silent',
  });
  const swaggerUi = dirname(createRequire(join(ROOT, 'package.json')).resolve('@fastify/swagger-ui'));
  await cp(join(swaggerUi, 'static'), join(outdir, SWAGGER_UI_DIR), { recursive: true });
  return { entryFile: join(outdir, SERVICE_BUNDLE), metafile: result.metafile };
}

export interface TempServiceBundle {
  /** The folder to pass as `root` with `entry: 'bundle'` (startServiceProcess runs <root>/dist/service.mjs from it). */
  readonly root: string;
  readonly entryFile: string;
  /** Wall time of the build. */
  readonly buildMs: number;
  /** Removes the folder. */
  close(): Promise<void>;
}

/**
 * The service bundled from the sources as they are now into a fresh temp folder, for a harness run that starts many
 * service processes (chaos drills): each then starts from one parsed file instead of ~2,000 TypeScript modules through
 * tsx. A fresh folder per run, so a dist/ left over from an earlier build can never be the thing tested.
 *
 * @example
 *   const bundle = await bundleServiceToTemp();
 *   const svc = await startServiceProcess(env, { root: bundle.root, entry: 'bundle' });
 *   await svc.close(); await bundle.close();
 */
export async function bundleServiceToTemp(): Promise<TempServiceBundle> {
  const root = await mkdtemp(join(tmpdir(), 'lm-service-bundle-'));
  const started = performance.now();
  try {
    const { entryFile } = await bundleService({ outdir: join(root, 'dist') });
    return { root, entryFile, buildMs: Math.round(performance.now() - started), close: () => rm(root, { recursive: true, force: true }) };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
