/** The developer platform products an entry can say it uses, in the order the form shows them. */
export const PRODUCTS = [
  { id: "workers", label: "Workers" },
  { id: "pages", label: "Pages" },
  { id: "kv", label: "Workers KV" },
  { id: "durable-objects", label: "Durable Objects" },
  { id: "d1", label: "D1" },
  { id: "r2", label: "R2" },
  { id: "queues", label: "Queues" },
  { id: "workflows", label: "Workflows" },
  { id: "workers-ai", label: "Workers AI" },
  { id: "vectorize", label: "Vectorize" },
  { id: "ai-gateway", label: "AI Gateway" },
  { id: "agents", label: "Agents SDK" },
  { id: "hyperdrive", label: "Hyperdrive" },
  { id: "containers", label: "Containers" },
  { id: "browser-rendering", label: "Browser Rendering" },
  { id: "images", label: "Images" },
  { id: "stream", label: "Stream" },
  { id: "realtime", label: "Realtime" },
  { id: "email", label: "Email Service" },
  { id: "analytics-engine", label: "Workers Analytics Engine" },
  { id: "turnstile", label: "Turnstile" },
] as const;

export type ProductId = (typeof PRODUCTS)[number]["id"];

export const PRODUCT_IDS = PRODUCTS.map((product) => product.id) as [ProductId, ...ProductId[]];

/**
 * What a submission must use: the required product and at least this many products in all
 * (the form checks it; the pages and the rules say it).
 */
export const PRODUCT_RULE = { required: "workers", atLeast: 2 } as const satisfies { required: ProductId; atLeast: number };

/** A product's label, by id. */
export function productLabel(id: ProductId): string {
  return PRODUCTS.find((product) => product.id === id)!.label;
}
