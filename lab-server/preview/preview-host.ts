/**
 * Everything a preview's host answers: the one-time link that sets the browser's
 * cookie, refusals (no cookie, another session's, an ended session), and the
 * learner's app itself through the session's SandboxAgent. Its request handler
 * takes Node's own request and response: the plugin hands requests to it before
 * Fastify parses anything, so bodies and upgrades pass untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { PREVIEW_OPEN_PATH } from '../../protocol/preview.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Session } from '../sessions/session.ts';
import { PREVIEW_NAME, type PreviewAddress, previewOrigin } from './preview-address.ts';
import { type LinkRefusal, PreviewGrants } from './preview-grants.ts';
import { type ProxyOutcome, proxyRequest, proxyUpgrade } from './preview-proxy.ts';
import { sendRefusal } from './preview-refusal.ts';
import { SandboxAgent } from './sandbox-agent.ts';

/** Requests one session's previews may have waiting for a connection; beyond, 503. */
const MAX_WAITING = 64;

export type PreviewOutcome =
  ProxyOutcome | 'opened' | 'link-refused' | 'forbidden' | 'not-found' | 'session-over' | 'busy';

const LINK_REFUSALS: Record<LinkRefusal, string> = {
  unknown:
    'This preview link is not valid here: it was made for another preview, or never existed. Open the preview again with Preview on the lab page.',
  used: 'This preview link was used already: each link opens one browser. Open the preview again with Preview on the lab page.',
  expired:
    'This preview link has expired (links work for a minute). Open the preview again with Preview on the lab page.',
};

export interface PreviewHostOptions {
  address: PreviewAddress;
  sessions: () => SessionManager;
  connectionsPerSession: number;
  bodyLimitBytes: number;
  log: FastifyBaseLogger;
  /** The clock links expire by (a test moves it); Date.now by default. */
  now?: () => number;
  /** Called once per request with what became of it (metrics). */
  onOutcome: (outcome: PreviewOutcome) => void;
}

export class PreviewHost {
  readonly grants: PreviewGrants;
  private readonly agents = new Map<string, SandboxAgent>();
  private readonly options: PreviewHostOptions;
  /** `__Host-` where the browser allows it: no sibling host can set or shadow it then. */
  readonly cookieName: string;

  constructor(options: PreviewHostOptions) {
    this.options = options;
    this.grants = new PreviewGrants(options.now);
    this.cookieName =
      options.address.protocol === 'https:' ? '__Host-drydock_preview' : 'drydock_preview';
  }

  /** A one-time link to `session`'s preview of `port`; `requestHost` is how the learner reached us. */
  link(session: Session, port: number, requestHost: string | undefined) {
    const { preview, code, expiresAt } = this.grants.link(session.id, port);
    const origin = previewOrigin(this.options.address, preview.name, requestHost);
    return {
      port,
      origin,
      url: `${origin}${PREVIEW_OPEN_PATH}?code=${code}`,
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** Connections the previews hold open into sandboxes now (a gauge). */
  get connectionsOpen(): number {
    let n = 0;
    for (const agent of this.agents.values()) n += agent.open;
    return n;
  }

  /** The session ended: its previews' hosts are forgotten and their connections closed. */
  forgetSession(sessionId: string): void {
    this.grants.forgetSession(sessionId);
    this.agents.get(sessionId)?.destroy();
    this.agents.delete(sessionId);
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** Answers one request to the preview host `name`; `upgrade` for a WebSocket handshake. */
  async handle(
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    upgrade?: { socket: Duplex; head: Buffer },
  ): Promise<void> {
    const outcome = await this.answer(name, req, res, upgrade).catch((error: Error) => {
      this.options.log.error({ err: error, preview: name }, 'preview request failed');
      sendRefusal(res, req.headers.accept, 'INTERNAL');
      return 'failed' as const;
    });
    this.options.onOutcome(outcome);
  }

  private async answer(
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    upgrade?: { socket: Duplex; head: Buffer },
  ): Promise<PreviewOutcome> {
    const accept = req.headers.accept;
    const refuse = (code: Parameters<typeof sendRefusal>[2], message?: string) => {
      req.resume();
      if (upgrade) {
        upgrade.socket.end(
          'HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
        );
        return;
      }
      sendRefusal(res, accept, code, message ? { message } : {});
    };
    if (!PREVIEW_NAME.test(name)) return (refuse('PREVIEW_NOT_FOUND'), 'not-found');
    const url = new URL(req.url ?? '/', 'http://preview');

    if (url.pathname === PREVIEW_OPEN_PATH) {
      const redeemed = this.grants.redeem(name, url.searchParams.get('code') ?? '');
      // The lab page's fallback link, clicked after its tab opened: this browser is in already.
      if ('refused' in redeemed && 'preview' in this.grants.admit(name, this.cookiesOf(req)))
        return (this.redirectHome(res), 'opened');
      if ('refused' in redeemed) {
        this.options.log.info({ preview: name, refusal: redeemed.refused }, 'preview link refused');
        return (refuse('PREVIEW_BAD_LINK', LINK_REFUSALS[redeemed.refused]), 'link-refused');
      }
      const secure = this.options.address.protocol === 'https:' ? '; Secure' : '';
      res.setHeader(
        'set-cookie',
        `${this.cookieName}=${redeemed.secret}; Path=/; HttpOnly; SameSite=Lax${secure}`,
      );
      this.redirectHome(res);
      this.options.log.info(
        { session: redeemed.preview.sessionId, port: redeemed.preview.port },
        'preview opened',
      );
      return 'opened';
    }

    const admitted = this.grants.admit(name, this.cookiesOf(req));
    if ('refused' in admitted) {
      if (admitted.refused === 'no-preview') return (refuse('PREVIEW_NOT_FOUND'), 'not-found');
      return (refuse('PREVIEW_FORBIDDEN'), 'forbidden');
    }
    const { preview } = admitted;
    const session = this.options.sessions().find(preview.sessionId);
    if (!session?.live) {
      this.forgetSession(preview.sessionId);
      return (
        refuse(
          'SESSION_ENDED',
          'The session this preview belongs to has ended, and its sandbox with it. Start the lab again to run your app.',
        ),
        'session-over'
      );
    }
    if (session.state !== 'ready' || !session.sandbox)
      return (refuse('SESSION_NOT_READY'), 'session-over');
    session.touch();
    const agent = this.agentFor(session);
    if (agent.waiting >= MAX_WAITING) return (refuse('PREVIEW_BUSY'), 'busy');
    const target = {
      agent,
      port: preview.port,
      origin: previewOrigin(this.options.address, preview.name, req.headers.host),
      cookieName: this.cookieName,
      bodyLimitBytes: this.options.bodyLimitBytes,
    };
    return upgrade
      ? proxyUpgrade(req, upgrade.socket, upgrade.head, target)
      : proxyRequest(req, res, target);
  }

  /** To the app's root, the code out of the address bar and out of any Referer. */
  private redirectHome(res: ServerResponse): void {
    res.statusCode = 303;
    res.setHeader('location', '/');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    res.end();
  }

  private agentFor(session: Session): SandboxAgent {
    let agent = this.agents.get(session.id);
    if (!agent) {
      const sandbox = () => {
        if (!session.sandbox) throw new Error('the session has no sandbox any more');
        return session.sandbox;
      };
      agent = new SandboxAgent(
        async (port, timeoutMs) => sandbox().openPort(port, timeoutMs),
        this.options.connectionsPerSession,
      );
      this.agents.set(session.id, agent);
    }
    return agent;
  }

  /** Every value of our cookie the request carries (a sibling host may have added one). */
  private cookiesOf(req: IncomingMessage): string[] {
    return (req.headers.cookie ?? '')
      .split(';')
      .map((pair) => pair.trim().split('='))
      .filter(([key, value]) => key === this.cookieName && value)
      .map(([, value]) => value!);
  }
}
