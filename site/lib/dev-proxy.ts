/**
 * The dev loop's proxy (scripts/dev.ts, docs/dev-loop.md): `astro dev` passes
 * /api, the terminal's WebSocket included, on to the lab server, so a lab page
 * works on the dev site's own origin as it does on the built site. The Host
 * header goes on unchanged (no changeOrigin): the lab server then sees a page
 * from the host it was asked for, which its origin checks accept
 * (lab-server/terminal/origin-check.ts). Used by `astro dev` only; the built
 * site is served by the lab server itself.
 */

/** Where scripts/dev.ts says the lab server listens. */
export const DEV_LAB_SERVER_VARIABLE = 'DRYDOCK_DEV_LAB_SERVER';

/** The lab server's address when astro dev runs alone (`npm run dev:site` beside `npm start`). */
const DEFAULT_LAB_SERVER = 'http://127.0.0.1:4400';

export function labServerProxy(env: NodeJS.ProcessEnv = process.env) {
  const target = env[DEV_LAB_SERVER_VARIABLE] || DEFAULT_LAB_SERVER;
  return { '/api': { target, ws: true } };
}
