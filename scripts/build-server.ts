/**
 * Bundles the lab server (lab-server/server.ts and what it imports) into one ES
 * module, .drydock/build/server/server.mjs, which every start runs: Node then
 * neither strips types at run time nor loads a thousand module files, which cost
 * the idle server about 20 MiB (docs/operating.md, "Memory").
 *
 * `node scripts/build-server.ts` builds it if it is stale: if a file it was
 * built from changed (by content), or this script, esbuild or the installed
 * packages did. The check reads every input, about 40 ms.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin, version as esbuildVersion } from 'esbuild';

const ROOT = new URL('..', import.meta.url).pathname;
export const SERVER_BUNDLE_DIR = join(ROOT, '.drydock', 'build', 'server');
export const SERVER_BUNDLE = join(SERVER_BUNDLE_DIR, 'server.mjs');
const STAMP = join(SERVER_BUNDLE_DIR, 'inputs.json');

/**
 * Left to Node at run time: pg (loaded only for PostgreSQL, by createRequire);
 * pino, whose transports (pino-pretty on a terminal) start a worker from a file
 * next to pino's own; Fastify's default schema compilers (Ajv and
 * fast-json-stringify, 370 KB of source), which it requires only when it is not
 * given its own, and the server gives Zod's (lab-server/http/zod-schemas.ts).
 */
const EXTERNAL = [
  'pg',
  'pino',
  'pino-pretty',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
];

/**
 * Modules of dockerode that stay its own files, loaded from node_modules on first
 * use: they find .proto files next to themselves (__dirname, which a bundle does
 * not have) and load transports an engine on a Unix socket or TCP never needs,
 * ssh2 (ssh:// engines) and gRPC (BuildKit builds, only when the server builds
 * images), about 8 MiB at start-up. `lazy`: dockerode requires it when it loads,
 * so the bundle hands it a stand-in that requires the module when first called.
 * A dockerode release that stops requiring one of these fails the build, so this
 * list is reviewed rather than silently outdated.
 */
const DOCKERODE_OWN = [
  { importer: /\/docker-modem\/lib\/modem\.js$/, path: './ssh', lazy: true },
  { importer: /\/dockerode\/lib\/docker\.js$/, path: './session', lazy: true },
  { importer: /\/dockerode\/lib\/docker\.js$/, path: './buildkit', lazy: false },
];
type DockerodeOwn = (typeof DOCKERODE_OWN)[number];

/** A module that requires `file` when it is first called or one of its properties is read. */
const standIn = (file: string) => `let real;
const load = () => (real ??= require(${JSON.stringify(file)}));
module.exports = new Proxy(function () {}, {
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  get: (_, key) => load()[key],
});
`;

/**
 * Node's built-in modules, loaded with require() rather than import: an ES
 * module import of a built-in makes Node read every export it has, and the
 * lazy ones load what nothing here uses. `node:http`'s WebSocket loads Node's
 * copy of undici (fetch), whose source alone is 750 KB on the heap; `node:crypto`'s
 * webcrypto loads Web Crypto. require() reads an export when it is used.
 */
function builtinsByRequire(): Plugin {
  return {
    name: 'builtins-by-require',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) =>
        args.kind === 'import-statement' || args.kind === 'dynamic-import'
          ? { path: args.path, namespace: 'builtin' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
      b.onResolve({ filter: /.*/, namespace: 'builtin' }, (args) => ({
        path: args.path,
        external: true,
      }));
    },
  };
}

function dockerodeOwnFiles(seen: Set<DockerodeOwn>): Plugin {
  return {
    name: 'dockerode-own-files',
    setup(b) {
      b.onResolve({ filter: /^\.\/(ssh|session|buildkit)$/ }, async (args) => {
        const own = DOCKERODE_OWN.find(
          (o) => o.path === args.path && o.importer.test(args.importer),
        );
        if (!own) return undefined;
        seen.add(own);
        const { path, errors } = await b.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
        });
        if (errors.length) return { errors };
        return own.lazy ? { path, namespace: 'stand-in' } : { path, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
        contents: standIn(args.path),
        loader: 'js',
      }));
      // The stand-in's own require of the real file.
      b.onResolve({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
        path: args.path,
        external: true,
      }));
    },
  };
}

/** What, besides the inputs, a bundle depends on: a change to any of these rebuilds it. */
function buildKey(): string {
  const read = (file: string) => {
    try {
      return readFileSync(join(ROOT, file));
    } catch {
      return '';
    }
  };
  return createHash('sha256')
    .update(read('scripts/build-server.ts'))
    .update(read('node_modules/.package-lock.json'))
    .update(`${esbuildVersion}\0${ROOT}`)
    .digest('hex');
}

const hashFile = (file: string) =>
  createHash('sha256')
    .update(readFileSync(join(ROOT, file)))
    .digest('hex');

/** Whether the bundle on disk was built by this script from the files as they are now. */
export function serverBundleFresh(): boolean {
  let stamp: { key: string; inputs: Record<string, string> };
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as typeof stamp;
  } catch {
    return false;
  }
  if (stamp.key !== buildKey() || !existsSync(SERVER_BUNDLE)) return false;
  try {
    return Object.entries(stamp.inputs).every(([file, hash]) => hashFile(file) === hash);
  } catch {
    return false; // an input is gone
  }
}

/**
 * esbuild's options for the server's bundle, or for another entry point bundled
 * alike (`stdin`, as a test does); `seen` collects the DOCKERODE_OWN entries met.
 */
export function bundleOptions(seen = new Set<DockerodeOwn>()): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: ['lab-server/server.ts'],
    outfile: SERVER_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // package.json's engines: the oldest Node the server runs on.
    target: 'node22.18',
    external: EXTERNAL,
    plugins: [dockerodeOwnFiles(seen), builtinsByRequire()],
    // Whitespace and syntax only: names stay as written, so a stack trace in the
    // log still names the functions. Without comments the source is ASCII, and V8
    // keeps it at one byte a character (a single '§' in a comment doubles it).
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    // On disk for whoever maps a stack trace; Node reads it only with
    // --enable-source-maps, which costs the idle server about 45 MiB.
    sourcemap: 'linked',
    sourcesContent: false,
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __drydockCreateRequire } from 'node:module'; const require = __drydockCreateRequire(import.meta.url);",
    },
    logLevel: 'error',
  };
}

/** Builds the bundle. Each file is written aside and renamed, so that a server starting meanwhile reads a whole one. */
export async function buildServerBundle(): Promise<void> {
  const seen = new Set<DockerodeOwn>();
  const key = buildKey();
  const result = await build({ ...bundleOptions(seen), metafile: true, write: false });
  const missing = DOCKERODE_OWN.filter((o) => !seen.has(o));
  if (missing.length)
    throw new Error(
      `scripts/build-server.ts: dockerode no longer requires ${missing.map((o) => o.path).join(', ')} as DOCKERODE_OWN expects; review that list for this dockerode release`,
    );
  const inputs: Record<string, string> = {};
  for (const file of Object.keys(result.metafile.inputs))
    if (!file.includes(':')) inputs[file] = hashFile(file);
  mkdirSync(SERVER_BUNDLE_DIR, { recursive: true });
  const place = (file: string, contents: string | Uint8Array) => {
    const aside = `${file}.${process.pid}.tmp`;
    writeFileSync(aside, contents);
    renameSync(aside, file);
  };
  // The map before the bundle, the stamp last: a stamp names a complete bundle.
  const last = (file: { path: string }) => (file.path.endsWith('.map') ? 0 : 1);
  for (const file of [...result.outputFiles].sort((a, b) => last(a) - last(b))) {
    mkdirSync(dirname(file.path), { recursive: true });
    place(file.path, file.contents);
  }
  place(STAMP, JSON.stringify({ key, inputs }));
}

/** Builds the bundle unless it is fresh; says whether it built. */
export async function ensureServerBundle(): Promise<boolean> {
  if (serverBundleFresh()) return false;
  await buildServerBundle();
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const built = await ensureServerBundle();
  if (built)
    console.error(
      `[drydock] built the server bundle (${SERVER_BUNDLE.slice(ROOT.length)}) in ${Date.now() - started} ms`,
    );
}
