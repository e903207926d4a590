import { PRODUCTS } from "../schemas/products";

export interface Stats {
  byStatus: Record<string, number>;
  byProduct: Record<string, number>;
  /** Per UTC day: signups and first submissions. */
  perDay: { day: string; signups: number; submissions: number }[];
}

/** Counts for the dashboard, straight from the index (one batch, three queries). */
export async function contestStats(db: D1Database): Promise<Stats> {
  const [status, products, days] = await db.batch<Record<string, string | number>>([
    db.prepare("SELECT status, COUNT(*) AS n FROM entries GROUP BY status"),
    // Erased entrants keep no dates (a tombstone): they count by status only.
    db.prepare("SELECT product, COUNT(*) AS n FROM entry_products GROUP BY product"),
    db.prepare(
      `SELECT day, SUM(signup) AS signups, SUM(submission) AS submissions FROM (
         SELECT date(registered_at / 1000, 'unixepoch') AS day, 1 AS signup, 0 AS submission FROM entries
         WHERE status != 'erased'
         UNION ALL
         SELECT date(submitted_at / 1000, 'unixepoch'), 0, 1 FROM entries WHERE submitted_at IS NOT NULL)
       GROUP BY day ORDER BY day`,
    ),
  ]);
  const byStatus: Record<string, number> = { registered: 0, submitted: 0, winner: 0, waitlisted: 0, erased: 0 };
  for (const row of status!.results) byStatus[String(row.status)] = Number(row.n);
  const byProduct = Object.fromEntries(PRODUCTS.map((product) => [product.id, 0]));
  for (const row of products!.results) byProduct[String(row.product)] = Number(row.n);
  return {
    byStatus,
    byProduct,
    perDay: days!.results.map((row) => ({ day: String(row.day), signups: Number(row.signups), submissions: Number(row.submissions) })),
  };
}
