/**
 * A real OpenID provider for the tests, on oidc-provider (panva's certified
 * authorization server), listening on a free port of this machine: discovery,
 * signed ID tokens, PKCE, single-use codes, UserInfo, all of it the library's.
 * The lab server's openid-client talks HTTP to it as it would to Keycloak.
 *
 * What is ours is small: the test users with the groups each test needs, and
 * the login page (a username, a password, Sign in or Cancel), which checks
 * the password and then grants the client what it asked for, as a company's
 * login does for its own applications (no consent screen). `groupsInIdToken`
 * puts the groups in the ID token; by default, as the specification asks when
 * an access token is issued, they come only from UserInfo.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestUser {
  password: string;
  name: string;
  email: string;
  groups: string[];
}

/** The test users: one per outcome the lab server must handle. */
export const TEST_USERS: Record<string, TestUser> = {
  // Two mapped groups: the higher role (admin) wins.
  ada: {
    password: 'ada-password',
    name: 'Ada Lovelace',
    email: 'ada@example.org',
    groups: ['trainers', 'drydock-admins', 'everyone'],
  },
  grace: {
    password: 'grace-password',
    name: 'Grace Hopper',
    email: 'grace@example.org',
    groups: ['trainers', 'everyone'],
  },
  linus: {
    password: 'linus-password',
    name: 'Linus Helper',
    email: 'linus@example.org',
    groups: ['helpers'],
  },
  // A learner (engineering) of the platform team: sees the content pack's restricted lab.
  priya: {
    password: 'priya-password',
    name: 'Priya Platform',
    email: 'priya@example.org',
    groups: ['engineering', 'platform-team'],
  },
  // A learner of no team a restricted page names.
  riley: {
    password: 'riley-password',
    name: 'Riley Engineer',
    email: 'riley@example.org',
    groups: ['engineering'],
  },
  // In no group DRYDOCK_OIDC_ROLES maps.
  mallory: {
    password: 'mallory-password',
    name: 'Mallory Outsider',
    email: 'mallory@example.org',
    groups: ['marketing', 'everyone'],
  },
};

/** What the tests give DRYDOCK_OIDC_ROLES. */
export const TEST_ROLES =
  'drydock-admins=admin,trainers=instructor,helpers=assistant,engineering=learner';

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** DRYDOCK_OIDC_* for a lab server at `publicUrl` (its DRYDOCK_PUBLIC_URL). */
  env(publicUrl: string): Record<string, string>;
  /** Changes a user's groups at the provider (a person moved between teams). */
  users: Record<string, TestUser>;
  /**
   * The subject and preferred_username the provider gives a login: the login and
   * a tag of this provider's own, as tests on one PostgreSQL share its users table.
   */
  usernameOf(login: string): string;
  close(): Promise<void>;
}

const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function loginPage(uid: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example login</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 22rem; margin: 3rem auto">
<h1>Example login</h1>
${error ? `<p role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${html(uid)}/login">
<p><label>Username <input name="username" autocomplete="username"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>
<p><button type="submit">Log in</button></p>
</form>
<form method="post" action="/interaction/${html(uid)}/abort"><button type="submit">Cancel</button></form>
</body></html>`;
}

async function formBody(request: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return new URLSearchParams(text);
}

/**
 * Starts a provider on 127.0.0.1 with one confidential client, whose redirect
 * URI is that of a lab server at `publicUrl` (the tests start the provider
 * first and pass it the URL of the server they will start).
 */
export async function startTestProvider(
  redirectUris: string[],
  options: { groupsInIdToken?: boolean } = {},
): Promise<TestProvider> {
  const users: Record<string, TestUser> = structuredClone(TEST_USERS);
  const tag = randomBytes(3).toString('hex');
  const usernameOf = (login: string) => `${login}.${tag}`;
  const clientId = 'drydock';
  const clientSecret = randomBytes(24).toString('hex');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk',
  });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
      groups: ['groups'],
    },
    conformIdTokenClaims: !options.groupsInIdToken,
    features: { devInteractions: { enabled: false } },
    // Set, so that the library does not warn about its defaults on every sign-in.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The account id (the subject) is usernameOf(login).
    findAccount: (_ctx, id) => {
      const user = users[id.slice(0, id.lastIndexOf('.'))];
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          name: user.name,
          preferred_username: id,
          email: user.email,
          groups: user.groups,
        }),
      };
    },
  });
  // The provider's own error pages would otherwise also go to stderr.
  provider.on('server_error', () => {});
  const callback = provider.callback();

  const interaction = async (request: IncomingMessage, response: ServerResponse) => {
    const [, , uid, action] = new URL(request.url!, issuer).pathname.split('/');
    const details = await provider.interactionDetails(request, response);
    if (uid !== details.uid) throw new Error('interaction mismatch');
    if (request.method === 'GET' && details.prompt.name === 'login') {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      return response.end(loginPage(details.uid));
    }
    if (request.method === 'GET' && details.prompt.name === 'consent') {
      // A company's login grants its own applications what they ask: no consent screen.
      const grant = new provider.Grant({
        accountId: details.session!.accountId,
        clientId: String(details.params.client_id),
      });
      grant.addOIDCScope(String(details.params.scope));
      return provider.interactionFinished(
        request,
        response,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
    }
    if (request.method === 'POST' && action === 'abort')
      return provider.interactionFinished(request, response, {
        error: 'access_denied',
        error_description: 'End-User aborted interaction',
      });
    if (request.method === 'POST' && action === 'login') {
      const body = await formBody(request);
      const username = body.get('username') ?? '';
      const user = users[username];
      if (!user || user.password !== body.get('password')) {
        response.statusCode = 200;
        response.setHeader('content-type', 'text/html; charset=utf-8');
        return response.end(loginPage(details.uid, 'Wrong username or password.'));
      }
      return provider.interactionFinished(
        request,
        response,
        { login: { accountId: usernameOf(username) } },
        { mergeWithLastSubmission: false },
      );
    }
    response.statusCode = 405;
    response.end();
  };

  server.on('request', (request, response) => {
    if (request.url?.startsWith('/interaction/')) {
      interaction(request, response).catch((error: Error) => {
        response.statusCode = 400;
        response.end(`interaction failed: ${error.message}`);
      });
      return;
    }
    void callback(request, response);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    users,
    usernameOf,
    env: (publicUrl) => ({
      DRYDOCK_PUBLIC_URL: publicUrl,
      DRYDOCK_OIDC_ISSUER: issuer,
      DRYDOCK_OIDC_CLIENT_ID: clientId,
      DRYDOCK_OIDC_CLIENT_SECRET: clientSecret,
      DRYDOCK_OIDC_ROLES: TEST_ROLES,
      DRYDOCK_OIDC_SCOPES: 'openid profile email groups',
      DRYDOCK_OIDC_LABEL: 'Example login',
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
