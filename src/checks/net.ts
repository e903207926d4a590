/**
 * The only way link checks reach the network: every request has a short timeout, never
 * follows a redirect by itself (each hop is checked first), and counts against the
 * invocation's budget of subrequests. In development it may go to a local stub instead
 * (LINK_CHECK_STUB), which gets `/<host><path>?<query>` of the URL it stands in for.
 */

/** How long one request may take before the link counts as unreachable. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** Sent with every check, so that a site's owner can tell what knocked. */
export const USER_AGENT = "Swagbox link check";

/** The forges whose public APIs say whether a repository exists; each has its own rate limit. */
export type Forge = "github" | "gitlab";

/** A forge asked us to slow down: nothing is wrong with the link; check again at `until`. */
export class RateLimited extends Error {
  constructor(
    readonly forge: Forge,
    readonly until: number,
  ) {
    super(`${forge} is rate-limiting link checks until ${new Date(until).toISOString()}`);
  }
}

/** The invocation has used its subrequests: the check waits for another invocation. */
export class OutOfBudget extends Error {
  constructor() {
    super("this invocation has used its subrequests");
  }
}

/** A tool of the check itself failed (DNS over HTTPS, a forge's 5xx): nothing is known about the link yet. */
export class CheckerUnavailable extends Error {}

export class Net {
  private used = 0;

  /**
   * @param budget  requests this invocation may still make (Workers Free allows 50 a request)
   * @param stub    development only: the local stub that answers in the Internet's place
   */
  constructor(
    private readonly budget: number,
    private readonly stub: string | undefined,
  ) {}

  /** One request, manual redirects and a timeout; throws OutOfBudget rather than exceed the budget. */
  fetch(url: string, headers: Record<string, string>): Promise<Response> {
    if (this.used >= this.budget) return Promise.reject(new OutOfBudget());
    this.used++;
    return fetch(this.target(url), {
      headers: { "user-agent": USER_AGENT, ...headers },
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  }

  private target(url: string): string {
    if (!this.stub) return url;
    const { host, pathname, search } = new URL(url);
    return `${this.stub}/${host}${pathname}${search}`;
  }
}

/** The body is never needed beyond its status and headers: let it go unread. */
export function discard(response: Response): void {
  void response.body?.cancel().catch(() => {});
}
