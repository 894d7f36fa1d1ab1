/** The URL to open: the configured one, with the token (when there is one) as `?token=`, since browsers cannot set headers on a WebSocket handshake. */
export function connectUrl(url: string, token: string | undefined): string {
  if (token === undefined || token === '') return url;
  const parsed = new URL(url);
  parsed.searchParams.set('token', token);
  return parsed.toString();
}
