/**
 * The running server's admin API (routes/admin.ts) as the verbs that need the
 * server call it (`drydock sessions`, `drydock classes`): the operator's token,
 * the server's address from the configuration (or `--url`), and failures
 * worded for a person at a terminal.
 */
import { clientAdminToken, tokenFile } from '../admin/token.ts';
import type { Context } from './context.ts';
import { CliError } from './output.ts';

/** Where the server listens, as a URL this host can reach (a wildcard address means loopback). */
export function serverUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export type AdminCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** A caller of `/api/admin<path>`; `url` is the verb's `--url` option, read when a call is made. */
export function adminApi(context: Context, url: () => string | undefined): AdminCall {
  return async (method, path, body) => {
    const { config } = context;
    const token = clientAdminToken(config.adminToken, config.stateDir);
    if (!token)
      throw new CliError(
        `no admin token: set DRYDOCK_ADMIN_TOKEN, or start the server once on this host (it writes ${tokenFile(config.stateDir)})`,
      );
    const base = url() ?? serverUrl(config.host, config.port);
    let response: Response;
    try {
      response = await fetch(new URL(`/api/admin${path}`, base), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new CliError(
        `no Drydock server answers at ${base} (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}): start it with \`npm start\`, or pass --url`,
      );
    }
    if (response.status === 204) return undefined;
    const answer = (await response.json().catch(() => ({}))) as {
      error?: { code: string; message: string };
    };
    if (!response.ok)
      throw new CliError(
        `the server answered ${response.status} ${answer.error?.code ?? ''}: ${answer.error?.message ?? response.statusText}`,
      );
    return answer;
  };
}
