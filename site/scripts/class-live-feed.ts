/**
 * The class dashboard's feed (docs/api.md, "Classes", Live): the WebSocket
 * `/api/classes/:id/live`, which sends the class's whole progress at once and
 * again after every change. Every message is checked against
 * ClassLiveMessageSchema; one off the protocol is dropped and said in the
 * console, the picture on screen stays. A drop (network, sleep, a server
 * restart) is retried with backoff, for as long as the page is open: a class
 * lasts hours. A refusal (no sign-in, not this instructor's class, an origin
 * the server does not accept) stops at once, since retrying cannot change it.
 */
import { ClassLiveMessageSchema, type ClassProgress } from '../../protocol/class-progress.ts';
import type { ClassAccess } from '../../protocol/class-staff.ts';
import {
  CLOSE_FORBIDDEN_ORIGIN,
  CLOSE_NOT_ALLOWED,
  CLOSE_SIGN_IN_REQUIRED,
} from '../../protocol/close-codes.ts';
import { parseText } from '../../protocol/parse.ts';

export type FeedRefusal = 'sign-in' | 'not-allowed' | 'origin';

export interface FeedEvents {
  /** A new picture, and what this viewer may do in the class now. */
  onProgress(progress: ClassProgress, you: ClassAccess): void;
  /** Connected (`live`), or waiting to try again after a drop (`retrying`, with the wait). */
  onState(state: 'connecting' | 'live' | 'retrying', retryInMs?: number): void;
  /** The server refuses this page the feed for good; `reason` is its close reason. */
  onRefused(refusal: FeedRefusal, reason: string): void;
}

/** Waits between attempts after a drop; the last one repeats. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000];

const REFUSALS: ReadonlyMap<number, FeedRefusal> = new Map([
  [CLOSE_SIGN_IN_REQUIRED, 'sign-in'],
  [CLOSE_NOT_ALLOWED, 'not-allowed'],
  [CLOSE_FORBIDDEN_ORIGIN, 'origin'],
]);

export function liveUrl(classId: string, where: Location = location): string {
  const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${where.host}/api/classes/${encodeURIComponent(classId)}/live`;
}

export class ClassLiveFeed {
  readonly #url: string;
  readonly #events: FeedEvents;
  #ws: WebSocket | undefined;
  #failures = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #live = false;

  constructor(classId: string, events: FeedEvents) {
    this.#url = liveUrl(classId);
    this.#events = events;
    this.#connect();
  }

  /** Tries again at once if waiting after a drop (the tab came back, the network is back). */
  reconnectNow(): void {
    if (this.#stopped || this.#retry === undefined) return;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#ws?.close(1000, 'closed by the page');
    this.#ws = undefined;
  }

  #connect(): void {
    this.#events.onState('connecting');
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (this.#ws !== ws || typeof event.data !== 'string') return;
      const parsed = parseText(ClassLiveMessageSchema, event.data);
      if (!parsed.ok) {
        console.error(`[drydock] ignoring a class feed message off the protocol (${parsed.why})`);
        return;
      }
      if (!this.#live) this.#events.onState('live');
      this.#failures = 0;
      this.#live = true;
      this.#events.onProgress(parsed.value.progress, parsed.value.you);
    });
    ws.addEventListener('close', (event) => {
      if (this.#ws !== ws || this.#stopped) return;
      this.#ws = undefined;
      this.#live = false;
      const refusal = REFUSALS.get(event.code);
      if (refusal) {
        this.#stopped = true;
        this.#events.onRefused(refusal, event.reason);
        return;
      }
      const wait = BACKOFF_MS[Math.min(this.#failures, BACKOFF_MS.length - 1)]!;
      this.#failures++;
      this.#events.onState('retrying', wait);
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#connect();
      }, wait);
    });
  }
}
