// Makes a bearer token for the judges' dashboard and API, and the ADMIN_TOKENS entry that
// admits it (only its SHA-256 is stored). Usage: npm run admin-token -- "Ada Lovelace" organiser
import { createHash, randomBytes } from "node:crypto";

const [name, role = "judge"] = process.argv.slice(2);
if (!name || (role !== "judge" && role !== "organiser")) {
  console.error('usage: npm run admin-token -- "<name>" [judge|organiser]');
  process.exit(2);
}
const token = randomBytes(32).toString("base64url");
const entry = { name, role, sha256: createHash("sha256").update(token).digest("hex") };
console.log(`Token for ${name} (${role}); give it to them, it is shown only now:\n\n  ${token}\n`);
console.log("Add this entry to the ADMIN_TOKENS JSON list (npx wrangler secret put ADMIN_TOKENS):\n");
console.log(`  ${JSON.stringify(entry)}`);
