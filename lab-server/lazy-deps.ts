/**
 * dockerode loads, when it is imported, two transports most servers never use:
 * ssh2 (docker-modem's ssh transport, for DOCKER_HOST=ssh://), which sets up
 * a 16 MiB WebAssembly memory for its Poly1305 as it loads, and gRPC with
 * protobuf (dockerode's BuildKit session, for builds with registry
 * credentials). Together they were about 30 MiB of the idle server's RSS. This
 * module defers the two dockerode files that pull them in until their function
 * is first called. It must be imported before dockerode (server.ts imports it
 * first); where module hooks are missing (Node before 22.15) it does nothing.
 */
import * as nodeModule from 'node:module';

/** Files whose only export is a function, and whose own imports are the cost. */
const DEFERRED = [/\/docker-modem\/lib\/ssh\.js$/, /\/dockerode\/lib\/session\.js$/];

/**
 * The file's source, run on the first call of its exported function instead of
 * at load. Same file, so `require` and `__dirname` resolve as before.
 */
export function deferredSource(source: string): string {
  return `let loaded;
function load() {
  if (!loaded) {
    const deferred = { exports: {} };
    (function (module, exports) {
${source}
    })(deferred, deferred.exports);
    loaded = deferred.exports;
  }
  return loaded;
}
module.exports = function () {
  return load().apply(this, arguments);
};
`;
}

nodeModule.registerHooks?.({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    const { source } = result;
    if (!DEFERRED.some((file) => file.test(url)) || source === undefined) return result;
    const text = typeof source === 'string' ? source : new TextDecoder().decode(source);
    return { ...result, format: 'commonjs', source: deferredSource(text) };
  },
});
