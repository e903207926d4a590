import * as v from "valibot";
import { BAN_SNAPSHOT_KEY, BanSnapshot, isBanned, mailboxHash, NO_BANS } from "../schemas/bans";
import { emailDomain } from "../schemas/mailbox";

/**
 * The ban list as its KV snapshot holds it: one KV read, which Cloudflare serves from the
 * location's cache, so the signup path never waits on the PrizeCounter or D1. The
 * snapshot may lag a ban by up to a minute; a banned mailbox's registrant is disqualified
 * at the counter at once, so no prize slips through meanwhile. A snapshot that cannot be
 * read (KV failing, or a value that does not parse) counts as no bans rather than failing
 * every signup (it is logged).
 */
export async function readBanSnapshot(kv: KVNamespace): Promise<BanSnapshot> {
  let stored: unknown;
  try {
    stored = await kv.get(BAN_SNAPSHOT_KEY, "json");
  } catch (error) {
    return unreadable(error instanceof Error ? error.message : String(error));
  }
  if (stored === null) return NO_BANS;
  const parsed = v.safeParse(BanSnapshot, stored);
  return parsed.success ? parsed.output : unreadable(v.summarize(parsed.issues));
}

function unreadable(reason: string): BanSnapshot {
  console.error(`ban snapshot: unreadable, ignored: ${reason}`);
  return NO_BANS;
}

/** Whether the ban list, as its snapshot holds it now, names this canonical mailbox or its domain. */
export async function isMailboxBanned(kv: KVNamespace, mailbox: string): Promise<boolean> {
  return isBanned(await readBanSnapshot(kv), await mailboxHash(mailbox), emailDomain(mailbox));
}
