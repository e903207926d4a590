import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("serves the landing page", async () => {
  const response = await exports.default.fetch("http://example.com/");
  expect(response.status).toBe(200);
  expect(await response.text()).toContain("Swagbox Developer Challenge");
});
