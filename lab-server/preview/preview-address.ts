/**
 * Where previews are served: each on a host of its own, `<name>.<domain>`, so
 * that the learner's untrusted pages run in an origin of their own and can read
 * nothing of the platform's (its localStorage with the session token, its
 * cookies) nor call its API as the learner (docs/deploying.md, "Previews").
 * DRYDOCK_PREVIEW_URL names it with a `*` where the name goes.
 */

export interface PreviewAddress {
  /** `http:` or `https:` */
  protocol: string;
  /** What follows the name, lower case: `localhost`, `preview.example.net`. */
  domain: string;
  /**
   * `:4400`, or empty for the scheme's default; `null`: the port the learner reached
   * the lab server at (the default address, on one machine).
   */
  portSuffix: string | null;
}

/** A preview's name: 26 characters of lower-case base32 (130 random bits), one DNS label. */
export const PREVIEW_NAME = /^[a-z2-7]{26}$/;

const EXAMPLE = 'e.g. https://*.preview.example.net (a wildcard DNS name and certificate)';

/** DRYDOCK_PREVIEW_URL's text as an address, or why it is not one, in words that say how to fix it. */
export function parsePreviewUrl(text: string): PreviewAddress | { error: string } {
  const match = /^(https?):\/\/\*\.([^/:?#]+)(:\d{1,5})?\/?$/i.exec(text.trim());
  if (!match)
    return {
      error: `"${text}" is not a preview address: write the scheme, a * where each preview's name goes, and the domain, ${EXAMPLE}; or "off"`,
    };
  const [, scheme, domain, port = ''] = match;
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(domain!))
    return { error: `"${domain}" is not a domain name; ${EXAMPLE}` };
  if (port && Number(port.slice(1)) > 65535) return { error: `${port.slice(1)} is not a port` };
  return { protocol: `${scheme!.toLowerCase()}:`, domain: domain!.toLowerCase(), portSuffix: port };
}

/**
 * Without DRYDOCK_PREVIEW_URL: on one machine (no DRYDOCK_PUBLIC_URL), `*.localhost`
 * at the port the learner reached the server at, which browsers resolve to this machine without DNS;
 * behind a public URL, previews stay off until the operator names their domain.
 */
export function defaultPreviewAddress(publicUrl: string | undefined): PreviewAddress | undefined {
  if (publicUrl) return undefined;
  return { protocol: 'http:', domain: 'localhost', portSuffix: null };
}

/** The origin of the preview `name`; `requestHost` is the Host the learner reached the lab server at. */
export function previewOrigin(address: PreviewAddress, name: string, requestHost?: string): string {
  const port = address.portSuffix ?? /:\d+$/.exec(requestHost ?? '')?.[0] ?? '';
  return `${address.protocol}//${name}.${address.domain}${port}`;
}

/** The preview name a request's Host header names, if it is a preview host at all. */
export function previewNameOf(
  address: PreviewAddress,
  host: string | undefined,
): string | undefined {
  if (!host) return undefined;
  const hostname = host.toLowerCase().replace(/:\d+$/, '');
  const suffix = `.${address.domain}`;
  if (!hostname.endsWith(suffix)) return undefined;
  return hostname.slice(0, -suffix.length);
}
