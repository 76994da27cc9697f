/**
 * The "Time left" readout of a session, counted down from the server's
 * `expiresAt` and corrected for the difference between the two clocks.
 */

/** Below this many seconds the readout is marked `data-low`. */
const LOW_SECONDS = 5 * 60;

export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export class SessionClock {
  readonly #container: HTMLElement;
  readonly #value: HTMLElement;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Called every second with the seconds left (the page shows Extend near the end). */
  onTick: ((secondsLeft: number) => void) | undefined;

  /** `container` is shown while counting; `value` receives the text. */
  constructor(container: HTMLElement, value: HTMLElement) {
    this.#container = container;
    this.#value = value;
  }

  /**
   * @param expiresAt the session's `expiresAt`
   * @param serverNow a server timestamp taken just before the answer (the session's `serverTime`)
   */
  start(expiresAt: string, serverNow: string): void {
    this.stop();
    const skewMs = Date.now() - Date.parse(serverNow) || 0;
    const end = Date.parse(expiresAt);
    const tick = () => {
      const left = (end - (Date.now() - skewMs)) / 1000;
      this.#value.textContent = formatDuration(left);
      this.#container.toggleAttribute('data-low', left <= LOW_SECONDS);
      this.onTick?.(left);
    };
    tick();
    this.#container.hidden = false;
    this.#timer = setInterval(tick, 1000);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#container.hidden = true;
  }
}
