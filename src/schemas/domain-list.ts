/**
 * A compact text form of a list of domains that gives back exactly the same list: the
 * throwaway-inbox domains the Worker carries (src/schemas/disposable-domains.ts, written by
 * scripts/disposable-domains.ts; docs/decisions.md: "Throwaway domains").
 *
 * One line per parent domain (what follows a domain's first label), largest group first:
 * `parent:` then the group's first labels in sorted order, each as an upper-case letter that
 * says how many characters it shares with the label before it (A = 0 … Z = 25) and then the
 * rest of it. Domains are lower-case ASCII, so the letters cannot be mistaken for them. Gzip,
 * which the upload applies, finds much more to share in this than in a JSON array.
 */

const DOMAIN = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;
const MAX_SHARED = 25;

/** The text form of `domains` (duplicates dropped); throws for anything but a lower-case ASCII domain. */
export function encodeDomains(domains: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const domain of new Set(domains)) {
    if (!DOMAIN.test(domain)) throw new Error(`not a lower-case ASCII domain: ${JSON.stringify(domain)}`);
    const dot = domain.indexOf(".");
    const parent = domain.slice(dot + 1);
    const labels = groups.get(parent) ?? [];
    labels.push(domain.slice(0, dot));
    groups.set(parent, labels);
  }
  const lines = [...groups].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1));
  return lines
    .map(([parent, labels]) => {
      let previous = "";
      const coded = labels.sort().map((label) => {
        let shared = 0;
        while (shared < MAX_SHARED && shared < label.length && label[shared] === previous[shared]) shared++;
        previous = label;
        return String.fromCharCode(65 + shared) + label.slice(shared);
      });
      return `${parent}:${coded.join("")}`;
    })
    .join("\n");
}

/** The domains `text` (from encodeDomains) stands for, each once. */
export function decodeDomains(text: string): string[] {
  const domains: string[] = [];
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    const parent = line.slice(0, colon);
    let previous = "";
    for (const [, shared, rest] of line.slice(colon + 1).matchAll(/([A-Z])([^A-Z]*)/g)) {
      previous = previous.slice(0, shared!.charCodeAt(0) - 65) + rest;
      domains.push(`${previous}.${parent}`);
    }
  }
  return domains;
}
