import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

interface Deployment {
  observability: { enabled?: boolean; head_sampling_rate?: number; redact_query_string?: boolean } | null;
  ratelimits: { name: string; namespace_id: string }[];
}

const deployment = JSON.parse(env.TEST_DEPLOYMENT) as Deployment;

describe("wrangler.toml", () => {
  it("keeps Workers Logs, so errors of the cron and the queue consumers outlive `wrangler tail`, without the link codes in query strings", () => {
    expect(deployment.observability).toMatchObject({ enabled: true, head_sampling_rate: 1, redact_query_string: true });
  });

  it("gives each rate limiter a namespace of its own, none the documentation's example", () => {
    const ids = deployment.ratelimits.map((limiter) => limiter.namespace_id);
    expect(deployment.ratelimits.map((limiter) => limiter.name).sort()).toEqual(["ADMIN_LOGIN_LIMITER", "SIGNUP_LIMITER"]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[1-9]\d*$/);
      expect(id).not.toBe("1001");
    }
  });
});
