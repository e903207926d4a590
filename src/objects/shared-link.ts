import * as v from "valibot";
import type { Env } from "../env";
import { LinkClaim, type LinkKind, type LinkOwners } from "../schemas/shared-link";
import { ALARM_SCHEDULE_SCHEMA } from "./alarms";
import { OUTBOX_SCHEMA } from "./outbox";
import { OutboxOnlyHolder } from "./outbox-holder";
import { linkOwnerRoute } from "./outbox-routes";
import type { Schema } from "./sql";

const TABLES = `
  CREATE TABLE link (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    url TEXT NOT NULL
  );
  -- Each registrant's newest word on this URL; no kinds: it let go (kept, with its version,
  -- so that an older claim arriving late cannot take the URL back).
  CREATE TABLE claim (
    registrant_id TEXT PRIMARY KEY,
    kinds TEXT NOT NULL,
    version INTEGER NOT NULL
  );`;

export const SCHEMA: Schema = {
  current: `${TABLES} ${OUTBOX_SCHEMA} ${ALARM_SCHEDULE_SCHEMA}`,
  upgrades: [`${TABLES} ${OUTBOX_SCHEMA} ${ALARM_SCHEDULE_SCHEMA}`],
};

/** The dead letters of a URL's object name it so: `link:<its object id>`. */
export const LINK_ORIGIN_PREFIX = "link:";

/**
 * One normalised repository or demo URL (`idFromName(url)`): the only judge of who holds
 * it. Claims from racing registrants are serialised here, so two entrants submitting the
 * same repository at the same instant both end up among its owners, exactly. Every claim it
 * takes goes to the judges' index through the outbox, with the registrant's version, so D1
 * keeps each registrant's newest whatever the order of delivery.
 */
export class SharedLink extends OutboxOnlyHolder<{ link_owner: ReturnType<typeof linkOwnerRoute> }> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA, { link_owner: linkOwnerRoute(env) }, `${LINK_ORIGIN_PREFIX}${ctx.id.toString()}`);
  }

  /**
   * Takes a registrant's word on this URL (which of its links the URL is; none: it let go),
   * unless it already has a newer one from them. Returns how many registrants hold it now.
   * Idempotent: the same claim twice changes nothing.
   */
  async claim(input: LinkClaim): Promise<{ owners: number }> {
    const claim = v.parse(LinkClaim, input);
    const changed = this.ctx.storage.transactionSync(() => {
      const link = this.sql<{ url: string }>`SELECT url FROM link`.toArray()[0];
      if (link && link.url !== claim.url) throw new Error(`a claim on ${claim.url} reached the object of ${link.url}`);
      const known = this.sql<{ version: number }>`SELECT version FROM claim WHERE registrant_id = ${claim.registrantId}`.toArray()[0];
      if (known && known.version >= claim.version) return false;
      if (!link) this.sql`INSERT INTO link (singleton, url) VALUES (1, ${claim.url})`;
      this.sql`INSERT INTO claim (registrant_id, kinds, version) VALUES (${claim.registrantId}, ${JSON.stringify(claim.kinds)}, ${claim.version})
        ON CONFLICT (registrant_id) DO UPDATE SET kinds = excluded.kinds, version = excluded.version`;
      this.outbox.add("link_owner", claim);
      return true;
    });
    if (changed) void this.outbox.afterCommit();
    return { owners: this.sql<{ n: number }>`SELECT COUNT(*) AS n FROM claim WHERE kinds != '[]'`.one().n };
  }

  /** Who holds this URL now; null before the first claim. Changes nothing. */
  async owners(): Promise<LinkOwners | null> {
    const link = this.sql<{ url: string }>`SELECT url FROM link`.toArray()[0];
    return link ? { url: link.url, owners: this.holders() } : null;
  }

  /** Registrants whose newest claim holds the URL as at least one of their links, oldest claim first. */
  private holders(): LinkOwners["owners"] {
    return this.sql<{ registrant_id: string; kinds: string; version: number }>`
      SELECT registrant_id, kinds, version FROM claim WHERE kinds != '[]' ORDER BY version, registrant_id`
      .toArray()
      .map((row) => ({ registrantId: row.registrant_id, kinds: JSON.parse(row.kinds) as LinkKind[], version: row.version }));
  }
}
