// @ts-check
/**
 * What the dashboard reads from the judges' API (docs/api.md). Entrants typed most of it,
 * so the code shows it only as text, and checks each number before it does sums with it.
 */

/**
 * @typedef {object} Criterion
 * @property {string} id
 * @property {string} label
 * @property {number} max
 * @property {number} weight
 */

/**
 * @typedef {object} Product
 * @property {string} id
 * @property {string} label
 */

/**
 * GET /admin/api/me: who is signed in, and what they score with.
 * @typedef {object} Profile
 * @property {string} [name]
 * @property {"judge" | "organiser"} role
 * @property {Criterion[]} rubric
 * @property {Product[]} products
 */

/**
 * An entry as the list and the drawer see it (GET /admin/api/entries, and `entry` of one).
 * @typedef {object} Entry
 * @property {string} id
 * @property {string} status
 * @property {string | null} [firstname]
 * @property {string | null} [lastname]
 * @property {string | null} [email]
 * @property {string | null} [title]
 * @property {string | null} [description]
 * @property {string | null} [demo_url]
 * @property {string | null} [repo_url]
 * @property {string[] | null} [products]
 * @property {number | null} [registered_at]
 * @property {number | null} [submitted_at]
 * @property {number | null} [amended_at]
 * @property {number | null} [submission_version]
 * @property {number | null} [score]
 * @property {number | null} [scores_count]
 * @property {number | null} [rank_value]
 * @property {number | null} [slot]
 * @property {number | null} [waitlist_position]
 * @property {string | null} [shipping_status]
 * @property {string | null} [shipping_address]
 * @property {number | null} [hold_expires_at]
 * @property {string | null} [tracking_url]
 */

/**
 * @typedef {object} Prize
 * @property {string} status
 * @property {number} [slot]
 * @property {number} [position]
 */

/**
 * @typedef {object} Score
 * @property {string} judge
 * @property {Record<string, number>} [criteria]
 * @property {string | null} [comment]
 * @property {number | null} [weighted]
 * @property {number | null} [updated_at]
 */

/**
 * @typedef {object} Version
 * @property {number} version
 * @property {number | null} [submittedAt]
 * @property {string | null} [title]
 * @property {string | null} [description]
 * @property {string | null} [demo_url]
 * @property {string | null} [repo_url]
 * @property {string[] | null} [products]
 */

/**
 * GET /admin/api/entries/:id
 * @typedef {object} EntryDetail
 * @property {Entry} entry
 * @property {Prize | null} [prize]
 * @property {{ dueAt: number, reason: string | null } | null} [revokeNotice]  a revoke's notice still in its undo window
 * @property {Score[]} [scores]
 * @property {Score | null} [myScore]
 * @property {Version[]} [history]
 */

/**
 * @typedef {object} DayCount
 * @property {string} day
 * @property {number} signups
 * @property {number} submissions
 */

/**
 * GET /admin/api/stats
 * @typedef {object} Stats
 * @property {Record<string, number>} [byStatus]
 * @property {Record<string, number>} [byProduct]
 * @property {DayCount[]} [perDay]
 * @property {{ remaining: number, total: number }} [prizes]
 */

/**
 * A row of GET /admin/api/emails.
 * @typedef {object} EmailLogRow
 * @property {string} key
 * @property {string} status
 * @property {string} template
 * @property {string | null} [provider]
 * @property {string | null} [recipient]
 * @property {number | null} [attempts]
 * @property {string | null} [last_error]
 * @property {number | null} [updated_at]
 */

/**
 * A job that ran out of retries, on any topic (GET /admin/api/dead-letters).
 * @typedef {object} DeadLetter
 * @property {number} id
 * @property {string} topic
 * @property {string} key
 * @property {string} origin
 * @property {string} reason
 * @property {number} attempts
 * @property {string} status
 * @property {number} updated_at
 */

/**
 * A background task run (GET /admin/api/tasks).
 * @typedef {object} TaskRun
 * @property {string} id
 * @property {string} kind
 * @property {string} status
 * @property {number} total
 * @property {number} processed
 * @property {number} failed
 * @property {string} started_by
 * @property {number} started_at
 * @property {number | null} finished_at
 * @property {boolean} stalled
 */

export {};
