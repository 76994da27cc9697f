/**
 * The browser's side of staff sign-in (docs/api.md, "Staff sign-in"): who is
 * signed in, which ways of signing in the server offers, sign in, sign out. Answers are parsed with the protocol's schemas;
 * every failure becomes an AuthError with a sentence a person can act on. The
 * cookie itself is HttpOnly: this code never sees the token.
 */
import { AuthStatusSchema, type AuthStatus } from '../../protocol/accounts.ts';
import { ApiErrorBodySchema } from '../../protocol/api-error.ts';
import { SignInMethodsSchema, type SignInMethods } from '../../protocol/oidc.ts';
import { parseValue } from '../../protocol/parse.ts';

export class AuthError extends Error {
  /** The API's error code, or UNREACHABLE. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'AuthError';
    this.code = code;
  }
}

async function call(path: string, method: 'GET' | 'POST', body?: unknown): Promise<Response> {
  try {
    return await fetch(path, {
      method,
      cache: 'no-store',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new AuthError('UNREACHABLE', 'The server cannot be reached. Try again in a moment.');
  }
}

async function failure(response: Response): Promise<AuthError> {
  const parsed = parseValue(ApiErrorBodySchema, await response.json().catch(() => undefined));
  return parsed.ok
    ? new AuthError(parsed.value.error.code, parsed.value.error.message)
    : new AuthError(
        `HTTP_${response.status}`,
        `The server answered ${response.status} ${response.statusText}.`,
      );
}

async function status(response: Response): Promise<AuthStatus> {
  if (!response.ok) throw await failure(response);
  const parsed = parseValue(AuthStatusSchema, await response.json().catch(() => undefined));
  if (!parsed.ok)
    throw new AuthError('UNREADABLE', `The server’s answer is unreadable (${parsed.why}).`);
  return parsed.value;
}

export async function whoIsSignedIn(): Promise<AuthStatus> {
  return status(await call('/api/auth/me', 'GET'));
}

/** A password always; "Sign in with …" when the operator configured an OpenID provider. */
export async function signInMethods(): Promise<SignInMethods> {
  const response = await call('/api/auth/methods', 'GET');
  if (!response.ok) throw await failure(response);
  const parsed = parseValue(SignInMethodsSchema, await response.json().catch(() => undefined));
  if (!parsed.ok)
    throw new AuthError('UNREADABLE', `The server’s answer is unreadable (${parsed.why}).`);
  return parsed.value;
}

export async function signIn(username: string, password: string): Promise<AuthStatus> {
  return status(await call('/api/auth/sign-in', 'POST', { username, password }));
}

export async function signOut(): Promise<void> {
  const response = await call('/api/auth/sign-out', 'POST');
  if (!response.ok) throw await failure(response);
}
