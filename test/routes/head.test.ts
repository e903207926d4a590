import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { send } from "../helpers";
import { admin, seedEntries } from "../judges/helpers";

async function auditRows(): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log").first<{ n: number }>())!.n;
}

describe("HEAD", () => {
  it("of the CSV export answers the export's headers and writes no audit entry", async () => {
    const before = await auditRows();
    const head = await admin("/admin/api/export.csv?set=entries", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(await head.text()).toBe("");
    expect(await auditRows()).toBe(before);
    expect((await admin("/admin/api/export.csv?set=entries")).status).toBe(200);
    expect(await auditRows()).toBe(before + 1);
  });

  it("of /admin/api/next leases no entry; its GET does", async () => {
    const [id] = await seedEntries(1, "headless");
    const leases = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM leases WHERE entry_id = ?").bind(id).first<{ n: number }>())!.n;
    const head = await admin("/admin/api/next", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await leases()).toBe(0);
    expect(await (await admin("/admin/api/next")).json()).toMatchObject({ entry: { id } });
    expect(await leases()).toBe(1);
  });

  it("of /live opens no socket, whatever it asks for", async () => {
    // Called directly (vars): through a service binding the runtime turns an upgrade into a GET.
    const head = await send("/live", { method: "HEAD", headers: { upgrade: "websocket" }, vars: {} });
    expect(head.status).toBe(426);
    expect(head.webSocket).toBeNull();
    expect(await head.text()).toBe("");
  });
});
