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
