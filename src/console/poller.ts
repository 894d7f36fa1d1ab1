/**
 * What one poll made of the server's answer. `refused`: the server answered 401 to this token, so it is not
 * sent again until the token changes (each refusal is an error in the devtools). `stop`: nothing will change
 * until the server restarts, so the timer ends.
 */
export type PollOutcome = 'shown' | 'refused' | 'stop';

/**
 * A panel that polls the server that serves the page: at once, then every `intervalMs` while the page is
 * visible; one request at a time; a refused token not sent again. The panel's `poll` fetches and shows, and
 * says how it went. The token is read per poll: it is the current connection's, and changes with it.
 */
export abstract class PollingPanel {
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight = false;
  private refusedToken: string | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly token: () => string,
  ) {}

  protected abstract poll(token: string): Promise<PollOutcome>;

  start(): void {
    void this.refresh();
    this.timer ??= setInterval(() => {
      if (!document.hidden) void this.refresh();
    }, this.intervalMs);
  }

  async refresh(): Promise<void> {
    const token = this.token();
    if (this.inFlight || token === this.refusedToken) return;
    this.inFlight = true;
    try {
      const outcome = await this.poll(token);
      this.refusedToken = outcome === 'refused' ? token : undefined;
      if (outcome === 'stop') clearInterval(this.timer);
    } finally {
      this.inFlight = false;
    }
  }
}
