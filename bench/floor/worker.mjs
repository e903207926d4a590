/**
 * The floor of a signup on this runtime (bench only, never deployed): what one new SQLite
 * Durable Object per request costs, with nothing else. POST /signup reads the form's email
 * and has the object named by it insert one row; GET /healthz is the empty route. Served
 * behind the same static-assets layer as Swagbox, so its ratio compares like with like.
 *
 * Bindings (given by bench/lib/server.mjs): BLANK (the Blank class, SQLite-backed).
 */
import { DurableObject } from "cloudflare:workers";

export class Blank extends DurableObject {
  register(email) {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS signup (email TEXT PRIMARY KEY)");
    this.ctx.storage.sql.exec("INSERT INTO signup (email) VALUES (?) ON CONFLICT DO NOTHING", email);
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz") return Response.json({ status: "ok" });
    if (pathname === "/signup" && request.method === "POST") {
      const email = String((await request.formData()).get("email") ?? "").trim().toLowerCase();
      if (!email) return Response.json({ error: "invalid" }, { status: 422 });
      await env.BLANK.get(env.BLANK.idFromName(email)).register(email);
      return Response.json({ status: "accepted" }, { status: 202 });
    }
    return Response.json({ error: "not_found" }, { status: 404 });
  },
};
