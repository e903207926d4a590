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
 * @property {number} [reviewsPerEntry]  reviews each entry needs
 * @property {boolean} [blind]  blind judging: entrants are hidden until this judge scores them
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
 * @property {string | null} [mailbox]
 * @property {number | null} [flags_open]
 * @property {number | null} [disqualified_at]
 * @property {string | null} [address_review]
 * @property {boolean} [blind]  who entered is hidden: this judge has not scored it yet
 * @property {number | null} [provisional_until]  a first-come box under review until then
 * @property {string | null} [demo_status]  what the link checks found (null: not yet)
 * @property {number | null} [demo_http]
 * @property {string | null} [repo_status]
 * @property {number | null} [repo_fork]
 * @property {number | null} [repo_before_contest]
 * @property {number | null} [shared_link]  1 when another entry shares one of its links
 */

/**
 * The latest check of an entry's links (`checks` of GET /admin/api/entries/:id).
 * @typedef {object} LinkChecks
 * @property {number} check_version  0 while the first check waits
 * @property {number | null} checked_submission
 * @property {number | null} checked_at
 * @property {string | null} demo_status
 * @property {number | null} demo_http
 * @property {string | null} demo_detail
 * @property {string | null} repo_status
 * @property {number | null} repo_http
 * @property {string | null} repo_detail
 * @property {number | null} repo_created_at
 * @property {number | null} repo_pushed_at
 * @property {number | null} repo_fork
 * @property {number | null} repo_before_contest
 * @property {boolean} waiting  a check waits out a forge's rate limit
 */

/**
 * Another entry sharing one of the entry's links (`shared` of GET /admin/api/entries/:id).
 * @typedef {object} SharedEntry
 * @property {string} id
 * @property {string | null} firstname
 * @property {string | null} lastname
 * @property {string | null} title
 * @property {{ url: string, kind: string }[]} links
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
 * @property {boolean} [conflicted]  given by a judge now in conflict with the entry: counted nowhere
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
 * @property {LinkChecks | null} [checks]
 * @property {SharedEntry[]} [shared]
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

/**
 * A judge's flag for organiser review.
 * @typedef {object} ReviewFlag
 * @property {string} entry_id
 * @property {string} judge
 * @property {string} note
 * @property {number} flagged_at
 * @property {number | null} [resolved_at]
 * @property {string | null} [resolved_by]
 */

/**
 * An open flag in the organisers' queue (GET /admin/api/flags), with its entry.
 * @typedef {ReviewFlag & { firstname?: string | null, lastname?: string | null, email?: string | null, title?: string | null }} QueuedFlag
 */

/**
 * Another winner at the same address, or a member of a shared-address group.
 * @typedef {object} AddressPeer
 * @property {string} id
 * @property {string | null} [firstname]
 * @property {string | null} [lastname]
 * @property {string | null} [email]
 * @property {string} status
 * @property {string | null} [shipping_status]
 * @property {string | null} [address_review]
 * @property {number | null} [disqualified_at]
 */

/**
 * GET /admin/api/entries/:id/review
 * @typedef {object} EntryReview
 * @property {{ registeredAs: string, mailbox: string } | null} identity  null: hidden from a blind judge who has not scored the entry
 * @property {boolean} disqualified
 * @property {{ disqualified: boolean, reason: string, by: string, at: number, reinstatedBy: string | null, reinstatedAt: number | null } | null} disqualification
 * @property {ReviewFlag[]} flags
 * @property {{ review: string | null, peers: AddressPeer[] }} address
 */

/**
 * A group of winners who gave one address (GET /admin/api/address-pairs).
 * @typedef {object} AddressGroup
 * @property {boolean} pending
 * @property {AddressPeer[]} entries
 */

/**
 * An entry of the ban list (GET /admin/api/bans): a mailbox only as its hash.
 * @typedef {object} Ban
 * @property {number} id
 * @property {string} kind
 * @property {string} value
 * @property {string | null} registrantId
 * @property {string} reason
 * @property {string} actor
 * @property {number} at
 */

/**
 * GET /admin/api/progress
 * @typedef {object} Progress
 * @property {{ reviewsPerEntry: number, entries: number, reviewed: number, reviews: number, reviewsNeeded: number, inReview: number }} overall
 * @property {{ judge: string, scored: number, conflicted: number, skipped: number, leased: number }[]} judges
 */

/**
 * A conflict of interest (GET /admin/api/conflicts).
 * @typedef {object} Conflict
 * @property {number} id
 * @property {string} judge
 * @property {"email" | "domain" | "entry"} kind
 * @property {string} value
 * @property {string} reason
 * @property {string} declared_by
 * @property {number} created_at
 */

/**
 * An organiser's note on an entry.
 * @typedef {object} Note
 * @property {number} id
 * @property {string} author
 * @property {string} body
 * @property {number} created_at
 */

/**
 * GET /admin/api/awards/preview
 * @typedef {object} AwardPreview
 * @property {string} batch
 * @property {string[]} ids
 * @property {string} token
 * @property {number} remaining
 * @property {(Entry & { outcome: string })[]} candidates
 * @property {(Entry & { reason: string })[]} passedOver
 * @property {number} passedOverCount
 * @property {boolean} complete
 */

/**
 * POST /admin/api/awards
 * @typedef {object} AwardReport
 * @property {boolean} replayed
 * @property {{ id: string, slot: number }[]} awarded
 * @property {{ id: string, reason: string }[]} refused
 * @property {number} remaining
 */

export {};
