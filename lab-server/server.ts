/** Starts the lab server: listens, prints the address, and closes gracefully. */
import { PROFILES } from './sandbox/profiles.ts';
import { allocatorLine, currentAllocator, withholdJemalloc } from './observability/allocator.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { LabFormatError } from '../lab-format/load.ts';
import { StoreError } from './store/session-store.ts';

const allocator = currentAllocator();
// The processes the server starts get the environment without jemalloc's preload.
withholdJemalloc(process.env);

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

// The dev loop (scripts/dev.ts) reads the log through a pipe, but a person reads it.
const pretty =
  process.stdout.isTTY || config.dev
    ? {
        transport: {
          target: 'pino-pretty',
          options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
        },
      }
    : {};
let app;
try {
  app = await buildApp(config, { logger: { level: config.logLevel, ...pretty } });
} catch (error) {
  if (error instanceof LabFormatError) {
    console.error(`A lab is malformed:\n${error.message}`);
    process.exit(2);
  }
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  if (error instanceof StoreError) {
    console.error(
      `The session store cannot be opened: ${error.message}\n(is DRYDOCK_DATABASE_URL right, and does its server answer?)`,
    );
    process.exit(1);
  }
  throw error;
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info(
      `${signal}: shutting down (${config.shutdown === 'keep' ? 'ready sandboxes keep running for the next start' : 'removing sandboxes'})`,
    );
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    void app.close().then(() => process.exit(0));
  });
}

const address = await app.listen({ host: config.host, port: config.port });
app.log.info(`Drydock is running at ${address.replace('127.0.0.1', 'localhost')}`);
app.log.info(`sandbox isolation: ${PROFILES[config.sandbox.profile].summary}`);
app.log.info(allocatorLine(allocator));
if (PROFILES[config.sandbox.profile].rootEquivalent) {
  app.log.warn(
    'DRYDOCK_SANDBOX_PROFILE=dind: anyone who can start a lab here is root-equivalent on this machine. Keep it for yourself; the server refuses this profile beyond loopback.',
  );
}
