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
import { isBuiltin } from 'node:module';
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
 * Modules the server's packages require as they load, for what a server on a
 * Unix-socket engine, serving plain HTTP behind its proxy, does rarely or never.
 * `how` says what the bundle hands the package instead:
 * - `module`: a stand-in for the module, which requires it when first called or
 *   one of its properties is read;
 * - `members`: a stand-in whose every property is a stand-in for that export, for
 *   a package that destructures the module as it loads (`const { glob } = ...`) and
 *   calls or constructs the export later;
 * - `external`: nothing; the module is only left out of the bundle and loaded
 *   from node_modules.
 * A release of a package that stops requiring one of these fails the build, so
 * this list is reviewed rather than silently outdated.
 */
const ON_FIRST_USE: readonly { importer: RegExp; path: string; how: StandIn | 'external' }[] = [
  // dockerode's own files find .proto files next to themselves (__dirname, which a
  // bundle does not have) and load ssh2 (ssh:// engines; it sets up a 16 MiB
  // WebAssembly memory) and gRPC (BuildKit builds): about 8 MiB.
  { importer: /\/docker-modem\/lib\/modem\.js$/, path: './ssh', how: 'module' },
  { importer: /\/dockerode\/lib\/docker\.js$/, path: './session', how: 'module' },
  { importer: /\/dockerode\/lib\/docker\.js$/, path: './buildkit', how: 'external' },
  // Node's HTTP/2, for Fastify's `http2` option: 9 MiB once loaded.
  { importer: /\/fastify\/lib\/server\.js$/, path: 'node:http2', how: 'module' },
  // TLS, for a server that terminates it, a wss:// client or a TLS engine: 3 MiB.
  { importer: /\/fastify\/lib\/server\.js$/, path: 'node:https', how: 'module' },
  { importer: /\/ws\/lib\/websocket\.js$/, path: 'https', how: 'module' },
  { importer: /\/ws\/lib\/websocket\.js$/, path: 'tls', how: 'module' },
  { importer: /\/docker-modem\/lib\/http\.js$/, path: 'https', how: 'module' },
  // prom-client's metrics across a Node cluster (which loads cluster, and with it
  // dgram) and its push gateway client: the server is scraped, in one process.
  { importer: /\/prom-client\/index\.js$/, path: './lib/cluster', how: 'module' },
  { importer: /\/prom-client\/index\.js$/, path: './lib/pushgateway', how: 'module' },
  // glob, for @fastify/static's `wildcard: false` (the server serves its site by
  // wildcard), and ip-address, which @fastify/rate-limit needs only for an IPv6
  // client: about 1 MiB of the idle server, most of it glob's.
  { importer: /\/@fastify\/static\/index\.js$/, path: 'glob', how: 'members' },
  { importer: /\/@fastify\/rate-limit\/index\.js$/, path: 'ip-address', how: 'members' },
];
type OnFirstUse = (typeof ON_FIRST_USE)[number];
type StandIn = 'module' | 'members';

/** The start every stand-in shares: `load()` requires the real module once, when first asked. */
const loader = (file: string) => `let real;
const load = () => (real ??= require(${JSON.stringify(file)}));
`;

const STAND_INS: Record<StandIn, (file: string) => string> = {
  module: (file) => `${loader(file)}module.exports = new Proxy(function () {}, {
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  get: (_, key) => load()[key],
});
`,
  members: (file) => `${loader(file)}module.exports = new Proxy({}, {
  get: (_, key) => new Proxy(function () {}, {
    apply: (_, self, args) => Reflect.apply(load()[key], self, args),
    construct: (_, args) => Reflect.construct(load()[key], args),
    get: (_, member) => load()[key][member],
  }),
});
`,
};

/**
 * Node's built-in modules, loaded with require() rather than import: an ES
 * module import of a built-in makes Node read every export it has, and the
 * lazy ones load what nothing here uses. `node:http`'s WebSocket loads Node's
 * copy of undici (fetch), whose source alone is 750 KB on the heap; `node:crypto`'s
 * webcrypto loads Web Crypto. require() reads an export when it is used.
 *
 * Each built-in gets one ES module of its own (`builtin` namespace) that
 * re-exports the required module (`builtin-cjs`): the importers share it, where
 * each would otherwise wrap the CommonJS module in a copy of its own, a getter
 * per export (105 copies of crypto's, path's and fs's exports, 0.4 MiB of heap).
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
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
        const cjs = JSON.stringify(`cjs:${args.path}`);
        return {
          contents: `import m from ${cjs}; export default m; export * from ${cjs};`,
          loader: 'js',
        };
      });
      b.onResolve({ filter: /^cjs:/, namespace: 'builtin' }, (args) => ({
        path: args.path.slice(4),
        namespace: 'builtin-cjs',
      }));
      b.onLoad({ filter: /.*/, namespace: 'builtin-cjs' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
      b.onResolve({ filter: /.*/, namespace: 'builtin-cjs' }, (args) => ({
        path: args.path,
        external: true,
      }));
    },
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function onFirstUse(seen: Set<OnFirstUse>): Plugin {
  const paths = new RegExp(
    `^(${[...new Set(ON_FIRST_USE.map((o) => escape(o.path)))].join('|')})$`,
  );
  return {
    name: 'on-first-use',
    setup(b) {
      b.onResolve({ filter: paths }, async (args) => {
        if (args.namespace === 'stand-in') return undefined;
        const entry = ON_FIRST_USE.find(
          (o) => o.path === args.path && o.importer.test(args.importer),
        );
        if (!entry) return undefined;
        seen.add(entry);
        if (isBuiltin(args.path))
          return { path: args.path, namespace: 'stand-in', pluginData: entry.how };
        const { path, errors } = await b.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
        });
        if (errors.length) return { errors };
        return entry.how === 'external'
          ? { path, external: true }
          : { path, namespace: 'stand-in', pluginData: entry.how };
      });
      b.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
        contents: STAND_INS[args.pluginData as StandIn](args.path),
        loader: 'js',
      }));
      // The stand-in's own require of the real module.
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
 * alike (`stdin`, as a test does); `seen` collects the ON_FIRST_USE entries met.
 */
export function bundleOptions(seen = new Set<OnFirstUse>()): BuildOptions {
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
    plugins: [onFirstUse(seen), builtinsByRequire()],
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
  const seen = new Set<OnFirstUse>();
  const key = buildKey();
  const result = await build({ ...bundleOptions(seen), metafile: true, write: false });
  const missing = ON_FIRST_USE.filter((o) => !seen.has(o));
  if (missing.length)
    throw new Error(
      `scripts/build-server.ts: no package requires ${missing.map((o) => `${o.path} from ${o.importer.source}`).join(', ')} as ON_FIRST_USE expects; review that list for the packages' new releases`,
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
