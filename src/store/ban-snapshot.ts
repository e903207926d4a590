import * as v from "valibot";
import { BAN_SNAPSHOT_KEY, BanSnapshot, isBanned, mailboxHash, NO_BANS } from "../schemas/bans";
import { emailDomain } from "../schemas/mailbox";

/**
 * The ban list as its KV snapshot holds it: one KV read, which Cloudflare serves from the
 * location's cache, so the signup path never waits on the PrizeCounter or D1. The
 * snapshot may lag a ban by up to a minute; a banned mailbox's registrant is disqualified
 * at the counter at once, so no prize slips through meanwhile. An unreadable snapshot
 * counts as no bans rather than failing every signup (it is logged).
 */
export async function readBanSnapshot(kv: KVNamespace): Promise<BanSnapshot> {
  const stored = await kv.get(BAN_SNAPSHOT_KEY, "json");
  if (stored === null) return NO_BANS;
  const parsed = v.safeParse(BanSnapshot, stored);
  if (!parsed.success) {
    console.error(`ban snapshot: unreadable, ignored: ${v.summarize(parsed.issues)}`);
    return NO_BANS;
  }
  return parsed.output;
}

/** Whether the ban list, as its snapshot holds it now, names this canonical mailbox or its domain. */
export async function isMailboxBanned(kv: KVNamespace, mailbox: string): Promise<boolean> {
  return isBanned(await readBanSnapshot(kv), await mailboxHash(mailbox), emailDomain(mailbox));
}
