/**
 * What the pages say about this contest, generated from its settings: the prize and its
 * count, the award policy, the rubric, the products a project must use, the windows, where
 * prizes ship and the one-box-per-person rules. The templates hold no contest text of their
 * own; organisers' Markdown (src/pages/content.ts) adds their voice, with defaults from here.
 */
import type { Config } from "../config";
import { formatUtc } from "../email/templates";
import { PRODUCT_RULE, PRODUCTS, productLabel } from "../schemas/products";

/** "1 swag box", "300 swag boxes". */
export function prizeCount(config: Config, count: number): string {
  return `${count} ${prizeNoun(config, count)}`;
}

/** The prize's name for `count` of them: PRIZE_NAME's singular for exactly one. */
export function prizeNoun(config: Config, count: number): string {
  return count === 1 ? config.prizeName.one : config.prizeName.many;
}

/** How prizes are given, in one sentence. */
export function policySentence(config: Config, pool: number): string {
  return config.awardPolicy === "first_come"
    ? `First come, first served: the first ${prizeCount(config, pool)} go to the first valid submissions, one each; later submissions join a waitlist in order and move up if a prize is given back.`
    : `Judges score every submission on the criteria below and award the ${prizeCount(config, pool)} to the best.`;
}

/** What a project must use, in one sentence. */
export function productRuleSentence(): string {
  const others = PRODUCT_RULE.atLeast - 1;
  return `Build a working project on ${productLabel(PRODUCT_RULE.required)} that uses at least ${others === 1 ? "one other product" : `${others} other products`} of the platform. More products used well count in its favour.`;
}

/** The products an entry may say it uses, by name. */
export function productNames(): string[] {
  return PRODUCTS.map((product) => product.label);
}

/** Each judging criterion with its share of the score. */
export function rubricLines(config: Config): { label: string; share: number; max: number }[] {
  const total = config.rubric.reduce((sum, criterion) => sum + criterion.weight, 0);
  return config.rubric.map((criterion) => ({ label: criterion.label, share: Math.round((criterion.weight / total) * 100), max: criterion.max }));
}

/**
 * The one-box-per-person rules, a sentence each. Fair-play settings (how addresses are
 * compared, one box per postal address, bans, disqualification) add their own lines here.
 */
export function oneBoxRules(config: Config): string[] {
  const one = config.prizeName.one;
  return [
    `At most one ${one} per person: one registration per mailbox, and one submission per registration.`,
    ...(config.emailCanonical === "off"
      ? []
      : ["Different spellings of one mailbox are one entry: for example ada@gmail.com, a.da@gmail.com, ada+contest@gmail.com and ada@googlemail.com all reach one Gmail inbox, so signing up with another of them only sends your link again, to the address you first signed up with."]),
    "Throwaway (disposable) email addresses cannot sign up.",
    ...(config.oneBoxPerAddress === "review" ? [`One ${one} per postal address: if two winners give the same address, the organisers look at both entries before either ${one} ships.`] : []),
    ...(config.oneBoxPerAddress === "refuse" ? [`One ${one} per postal address: once a winner has given an address, another winner cannot give the same one.`] : []),
    "The organisers may disqualify an entry that breaks these rules (for example several entries by one person), and then it cannot win; they may also bar an email address or domain from the contest. A disqualified entrant is told by email.",
    `A winner has ${config.holdDays} ${config.holdDays === 1 ? "day" : "days"} to give a shipping address; after that the ${config.prizeName.one} goes back to the pool${config.reofferExpired ? " and at once to the next entry in line" : ""}.`,
  ];
}

/** What Swagbox keeps, and until when. */
export function dataSentence(config: Config): string {
  return `We keep your name, email address and submission to run the contest and ship prizes, and erase everything ${config.retentionDays} days after submissions close (${formatUtc(config.submission.closes + config.retentionDays * 86_400_000)}). You can erase your data sooner from your submission page. Your personal link is stored only in a form that cannot be turned back into the link.`;
}

/**
 * Swagbox's defaults for the organisers' Markdown, from the settings: what a page shows for
 * a part the organisers left empty.
 */
export function defaultContent(config: Config, pool: number): { intro: string; prize: string; eligibility: string; faq: string } {
  return {
    intro: `${productRuleSentence()} ${policySentence(config, pool)}`,
    prize: `${prizeCount(config, pool)} to win, at most one per person.`,
    eligibility: "Anyone who signs up with a valid email address while registration is open. One entry per person: one mailbox, one submission.",
    faq: [
      "### I lost my link. What now?",
      "Ask for a new one on the [new link page](/link) with the email address you signed up with. Your old link keeps working until you open the new one.",
      "### Can I change my submission?",
      `Yes: open your link and save again until ${formatUtc(config.submission.closes)}. Judges see the latest version.`,
      "### How do I know if I won?",
      `We email every winner a link to give a shipping address. Hold on to it: the ${config.prizeName.one} is held for ${config.holdDays} ${config.holdDays === 1 ? "day" : "days"}.`,
    ].join("\n\n"),
  };
}
