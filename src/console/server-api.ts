/** A JSON GET to the server that serves the page, with the connection's token as the bearer. */
export type ServerAnswer<T> = { ok: true; body: T } | { ok: false; status: number; message: string };

export async function getJson<T>(path: string, token: string): Promise<ServerAnswer<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      cache: 'no-store',
    });
  } catch {
    return { ok: false, status: 0, message: 'Server unreachable.' };
  }
  const body = (await response.json().catch(() => undefined)) as unknown;
  // A 200 whose body is not JSON (a proxy's page, a cut-off answer) is a failure too, not an empty body.
  if (response.ok && body !== undefined) return { ok: true, body: body as T };
  const message =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : `HTTP ${response.status}`;
  return { ok: false, status: response.status, message };
}
