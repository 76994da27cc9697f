/** Starts the lab server: listens, prints the address, and closes gracefully. */
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { LabFormatError } from '../lab-format/load.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const pretty = process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {};
let app;
try {
  app = await buildApp(config, { logger: { level: config.logLevel, ...pretty } });
} catch (error) {
  if (error instanceof LabFormatError) {
    console.error(`A lab is malformed:\n${error.message}`);
    process.exit(2);
  }
  throw error;
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: shutting down (${config.shutdown === 'keep' ? 'ready sandboxes keep running for the next start' : 'removing sandboxes'})`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    void app.close().then(() => process.exit(0));
  });
}

const address = await app.listen({ host: config.host, port: config.port });
app.log.info(`Drydock is running at ${address.replace('127.0.0.1', 'localhost')}`);
if (config.host !== '127.0.0.1' && config.host !== 'localhost' && config.host !== '::1') {
  app.log.warn('The server listens beyond loopback. Sandboxes in this version are NOT a security boundary: run it only for people you trust.');
}
