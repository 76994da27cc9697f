/**
 * This server as an OpenID Connect client ("relying party") of the operator's
 * provider, through openid-client (panva's certified client): discovery from
 * the issuer, the authorization code flow with PKCE (S256), state and nonce,
 * and the ID token checked (signature, issuer, audience, expiry, nonce) before
 * anyone is signed in. What comes out is a VerifiedIdentity or an OidcFailure
 * naming one of the protocol's refusals; the details go to the log, never to
 * the person (a provider's error text is not ours to show).
 *
 * Discovery happens once and is kept. A provider that cannot be reached when
 * the server starts does not stop it: the failure is logged, and the next
 * sign-in tries again.
 */
import type { FastifyBaseLogger } from 'fastify';
import * as client from 'openid-client';
import type { OidcRefusal } from '../../protocol/oidc.ts';
import type { OidcSettings } from '../config.ts';
import { isLoopback } from '../config.ts';
import { groupsAt } from './group-roles.ts';
import type { VerifiedIdentity } from './oidc-users.ts';

/** What one sign-in must remember between leaving for the provider and coming back. */
export interface FlowSecrets {
  state: string;
  nonce: string;
  /** PKCE's code_verifier; the provider saw only its S256 challenge. */
  verifier: string;
}

export class OidcFailure extends Error {
  readonly refusal: OidcRefusal;
  constructor(refusal: OidcRefusal, detail: string) {
    super(detail);
    this.name = 'OidcFailure';
    this.refusal = refusal;
  }
}

/** Seconds each request to the provider may take: a sign-in waits on it. */
const PROVIDER_TIMEOUT_S = 10;

/** ClientError codes that mean the provider did not answer usefully, rather than said no. */
const UNREACHABLE_CODES = new Set([
  'OAUTH_TIMEOUT',
  'OAUTH_ABORT',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
]);

/** The refusal an error of openid-client (or of fetch below it) amounts to. */
function classify(error: unknown, during: string): OidcFailure {
  if (error instanceof OidcFailure) return error;
  if (error instanceof client.AuthorizationResponseError)
    return new OidcFailure(
      'PROVIDER_REFUSED',
      `${during}: the provider answered ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`,
    );
  if (error instanceof client.ResponseBodyError)
    return new OidcFailure(
      'CODE_REFUSED',
      `${during}: the token endpoint answered ${error.status} ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`,
    );
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  const message = `${during}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`;
  if (error instanceof TypeError) return new OidcFailure('PROVIDER_UNREACHABLE', message);
  if (error instanceof client.ClientError && UNREACHABLE_CODES.has(error.code ?? ''))
    return new OidcFailure('PROVIDER_UNREACHABLE', message);
  // Anything else failed a check: a signature, the issuer, the audience, the nonce.
  return new OidcFailure('CODE_REFUSED', message);
}

const stringClaim = (value: unknown) => (typeof value === 'string' ? value : undefined);

export class RelyingParty {
  readonly settings: OidcSettings;
  private readonly log: FastifyBaseLogger;
  private discovered: Promise<client.Configuration> | undefined;

  constructor(settings: OidcSettings, log: FastifyBaseLogger) {
    this.settings = settings;
    this.log = log;
  }

  /** The provider's metadata, found once; a failure is logged and forgotten, so the next call tries again. */
  configuration(): Promise<client.Configuration> {
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = undefined;
      const { message } = classify(error, `discovery at ${this.settings.issuer}`);
      const why = `${message}. OpenID Connect sign-in is unavailable until the provider answers (DRYDOCK_OIDC_ISSUER; its /.well-known/openid-configuration must be reachable from this server)`;
      // Discovery failing is the provider's reach or its address, never a person's doing.
      this.log.error({ issuer: this.settings.issuer }, why);
      throw new OidcFailure('PROVIDER_UNREACHABLE', why);
    });
    return this.discovered;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    const url = new URL(issuer);
    // http only for a provider on this machine (config.ts refuses any other).
    const local = url.protocol === 'http:' && isLoopback(url.hostname.replace(/^\[(.*)\]$/, '$1'));
    // client_secret_basic: OpenID Connect's default method, the one every provider supports.
    const auth = client.ClientSecretBasic(clientSecret);
    const config = await client.discovery(url, clientId, undefined, auth, {
      timeout: PROVIDER_TIMEOUT_S,
      ...(local ? { execute: [client.allowInsecureRequests] } : {}),
    });
    this.log.info(
      { issuer: config.serverMetadata().issuer },
      'OpenID provider found: staff may sign in with it',
    );
    return config;
  }

  /** Where to send the browser, and what to keep until it comes back. */
  async authorizationUrl(): Promise<{ url: URL; secrets: FlowSecrets }> {
    const config = await this.configuration();
    const secrets: FlowSecrets = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(secrets.verifier),
      code_challenge_method: 'S256',
      state: secrets.state,
      nonce: secrets.nonce,
    });
    return { url, secrets };
  }

  /**
   * Redeems the code in `callbackUrl` (the redirect URI with the query the
   * provider sent) and checks the ID token; the groups come from it, or from
   * UserInfo when the ID token leaves them out (many providers keep the ID
   * token small).
   */
  async verify(callbackUrl: URL, secrets: FlowSecrets): Promise<VerifiedIdentity> {
    const config = await this.configuration();
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new OidcFailure('CODE_REFUSED', 'the provider sent no ID token');
      let claims: Record<string, unknown> = idToken;
      let groups = groupsAt(claims, this.settings.groupsClaim);
      if (groups === undefined) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
        claims = { ...info, ...idToken };
        groups = groupsAt(info, this.settings.groupsClaim) ?? [];
      }
      return {
        issuer: config.serverMetadata().issuer,
        subject: idToken.sub,
        groups,
        preferredUsername: stringClaim(claims.preferred_username),
        email: stringClaim(claims.email),
        name: stringClaim(claims.name),
      };
    } catch (error) {
      throw classify(error, 'the sign-in at the provider');
    }
  }
}
