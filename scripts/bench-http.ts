/** What the benchmarks that drive a running lab server over HTTP share. */

/** POSTs JSON to `${url}/api${path}` as the site's own page would (its Origin); a failure throws with the answer. */
export function apiPoster(url: string) {
  return async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url, ...headers },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
}

/** The accounts a benchmark's in-process server adds its instructor to. */
interface Users {
  add(user: {
    username: string;
    role: 'instructor';
    displayName: string;
    password: string;
  }): Promise<unknown>;
}

/** Adds the benchmark's instructor and signs them in; returns their session cookie. */
export async function signInBenchInstructor(
  users: Users,
  post: ReturnType<typeof apiPoster>,
  password: string,
): Promise<string> {
  const username = 'bench-instructor';
  await users.add({ username, role: 'instructor', displayName: 'Bench Instructor', password });
  const signedIn = await post('/auth/sign-in', { username, password });
  return signedIn.headers.get('set-cookie')!.split(';')[0]!;
}
