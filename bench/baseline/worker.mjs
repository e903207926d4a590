/**
 * The seed's design, rebuilt for comparison (bench only, never deployed). One KV namespace
 * holds the signups. The duplicate check reads the key, then writes it: two requests for
 * the same email that both read before either writes both register. The registration email
 * is sent inside the request, so every signup waits for the provider.
 *
 * Bindings (given by bench/lib/server.mjs): SIGNUPS (KV), PROVIDER_URL, PROVIDER_KEY,
 * EMAIL_FROM, PUBLIC_URL.
 */
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz") return Response.json({ status: "ok" });
    if (pathname === "/signup" && request.method === "POST") return signup(request, env);
    return Response.json({ error: "not_found" }, { status: 404 });
  },
};

async function signup(request, env) {
  const form = await request.formData();
  const field = (name) => String(form.get(name) ?? "").trim();
  const email = field("email").toLowerCase();
  const firstname = field("firstname");
  const lastname = field("lastname");
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || !firstname || !lastname || form.get("accept_rules") !== "on") {
    return Response.json({ error: "invalid" }, { status: 422 });
  }
  const existing = await env.SIGNUPS.get(email);
  if (existing === null) {
    const code = crypto.randomUUID();
    await env.SIGNUPS.put(email, JSON.stringify({ firstname, lastname, code, createdAt: Date.now() }));
    const link = `${env.PUBLIC_URL}/submit?code=${code}`;
    const sent = await fetch(env.PROVIDER_URL, {
      method: "POST",
      headers: { authorization: `Bearer ${env.PROVIDER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        from: env.EMAIL_FROM,
        to: [email],
        subject: "Your submission link",
        text: `Hello ${firstname}, submit your project at ${link}`,
        html: `<p>Submit your project at <a href="${link}">${link}</a></p>`,
      }),
    });
    await sent.body?.cancel();
    if (!sent.ok) return Response.json({ error: "email_failed" }, { status: 502 });
  }
  return Response.json({ status: "check_inbox" }, { status: 202 });
}
