/**
 * The terminal's Preview button (docs/previews.md): lists the ports something
 * listens on in the sandbox, asks the server for a one-time link to the chosen
 * one (which also says when nothing listens there), and opens it in a new tab.
 * The preview runs on a host of its own, so the tab gets no hold on this page
 * (`noopener`) and this page's token never leaves it.
 */
import {
  ListeningPortsSchema,
  PreviewLinkSchema,
  type PreviewLink,
} from '../../protocol/preview.ts';
import { apiRequest, ApiError } from './lab-api.ts';

interface OwnSession {
  id: string;
  token: string;
}

export function requestPreviewLink(session: OwnSession, port: number): Promise<PreviewLink> {
  return apiRequest(`/api/sessions/${encodeURIComponent(session.id)}/previews`, PreviewLinkSchema, {
    method: 'POST',
    token: session.token,
    body: { port },
  });
}

export async function listeningPorts(session: OwnSession): Promise<number[]> {
  const { ports } = await apiRequest(
    `/api/sessions/${encodeURIComponent(session.id)}/previews/ports`,
    ListeningPortsSchema,
    { token: session.token },
  );
  return ports;
}

export class PreviewControl {
  readonly #button: HTMLButtonElement;
  readonly #dialog: HTMLDialogElement;
  readonly #form: HTMLFormElement;
  readonly #port: HTMLInputElement;
  readonly #ports: HTMLElement;
  readonly #message: HTMLElement;
  readonly #fallback: HTMLElement;
  readonly #link: HTMLAnchorElement;
  #session: OwnSession | undefined;

  constructor(root: ParentNode) {
    const find = <T extends HTMLElement>(selector: string): T => {
      const element = root.querySelector<T>(selector);
      if (!element) throw new Error(`lab page markup is missing ${selector}`);
      return element;
    };
    this.#button = find('[data-testid="lab-preview"]');
    this.#dialog = find('[data-testid="preview-dialog"]');
    this.#form = find('[data-preview-form]');
    this.#port = find('[data-testid="preview-port"]');
    this.#ports = find('[data-preview-ports]');
    this.#message = find('[data-testid="preview-message"]');
    this.#fallback = find('[data-preview-fallback]');
    this.#link = find('[data-testid="preview-link"]');
    this.#button.addEventListener('click', () => this.#show());
    find('[data-preview-close]').addEventListener('click', () => this.#dialog.close());
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#open(Number(this.#port.value));
    });
  }

  /** The session whose sandbox is ready, or undefined (the button is then disabled). */
  update(session: OwnSession | undefined): void {
    this.#session = session;
    this.#button.disabled = !session;
    if (!session && this.#dialog.open) this.#dialog.close();
  }

  #say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.#message.textContent = text;
    this.#message.dataset.kind = kind;
  }

  #show(): void {
    const session = this.#session;
    if (!session) return;
    this.#say('');
    this.#fallback.hidden = true;
    this.#dialog.showModal();
    this.#port.focus();
    this.#ports.textContent = 'Looking for servers in your sandbox…';
    listeningPorts(session).then(
      (ports) => this.#offer(ports),
      (error: unknown) =>
        (this.#ports.textContent = `Could not list the ports in your sandbox: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** One button per port something listens on; the first fills the field. */
  #offer(ports: number[]): void {
    this.#ports.replaceChildren();
    if (ports.length === 0) {
      this.#ports.textContent =
        'Nothing listens on a port in your sandbox yet. Start a web server (for example docker run -d -p 8080:80 …), or type its port.';
      return;
    }
    this.#ports.append('Listening in your sandbox: ');
    for (const port of ports) {
      const choice = document.createElement('button');
      choice.type = 'button';
      choice.className = 'lab-button';
      choice.textContent = String(port);
      choice.dataset.port = String(port);
      choice.addEventListener('click', () => {
        this.#port.value = String(port);
        void this.#open(port);
      });
      this.#ports.append(choice);
    }
    if (!this.#port.value) this.#port.value = String(ports[0]);
  }

  async #open(port: number): Promise<void> {
    const session = this.#session;
    if (!session) return;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      this.#say('A port is a whole number from 1 to 65535.', 'error');
      return;
    }
    this.#fallback.hidden = true;
    this.#say(`Opening port ${port}…`);
    try {
      const link = await requestPreviewLink(session, port);
      // Within the click's activation, a tab opens; a blocker leaves the link below.
      window.open(link.url, '_blank', 'noopener,noreferrer');
      this.#link.href = link.url;
      this.#link.textContent = `Open the preview of port ${port}`;
      this.#fallback.hidden = false;
      this.#say(`Port ${port} opened in a new tab.`);
    } catch (error) {
      const message =
        error instanceof ApiError
          ? error.message
          : error instanceof Error
            ? error.message
            : String(error);
      this.#say(message, 'error');
    }
  }
}
