import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { send } from "../helpers";
import { admin, panel, seedEntries } from "../judges/helpers";

async function exportAudits(): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export'").first<{ n: number }>())!.n;
}

describe("HEAD", () => {
  it("of the CSV export answers the export's headers and writes no audit entry", async () => {
    const before = await exportAudits();
    const head = await admin("/admin/api/export.csv?set=entries", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(await head.text()).toBe("");
    expect(await exportAudits()).toBe(before);
    expect((await admin("/admin/api/export.csv?set=entries")).status).toBe(200);
    expect(await exportAudits()).toBe(before + 1);
  });

  it("of /admin/api/next leases no entry; its GET does", async () => {
    await seedEntries(1, "headless");
    const { token, vars } = panel({ Hal: "judge" });
    const leases = async () => (await env.DB.prepare("SELECT entry_id FROM leases WHERE judge = 'Hal'").all<{ entry_id: string }>()).results;
    const head = await admin("/admin/api/next", { method: "HEAD", token: token("Hal"), vars });
    expect(head.status).toBe(200);
    expect(await leases()).toEqual([]);
    const next = (await (await admin("/admin/api/next", { token: token("Hal"), vars })).json()) as { entry: { id: string } };
    expect(await leases()).toEqual([{ entry_id: next.entry.id }]);
  });

  it("of /live opens no socket, whatever it asks for", async () => {
    // Called directly (vars): through a service binding the runtime turns an upgrade into a GET.
    const head = await send("/live", { method: "HEAD", headers: { upgrade: "websocket" }, vars: {} });
    expect(head.status).toBe(426);
    expect(head.webSocket).toBeNull();
    expect(await head.text()).toBe("");
  });
});
