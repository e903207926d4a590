import * as v from "valibot";

/** Who the judges' routes know: judges and organisers, and what each may do. */
export type Role = "judge" | "organiser";

/** Who is calling the judges' routes, and how they proved it. */
export interface Judge {
  name: string;
  role: Role;
  via: "token" | "session" | "access";
  /** With `via: "session"`: the session's id (the hash of its cookie's secret). */
  session?: string;
}

/** A bearer token as ADMIN_TOKENS lists it: never the token, only its SHA-256. */
export const AdminToken = v.object({
  name: v.pipe(v.string(), v.trim(), v.nonEmpty(), v.maxLength(100)),
  role: v.picklist(["judge", "organiser"]),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "sha256 is 64 lower-case hex digits")),
});

export type AdminToken = v.InferOutput<typeof AdminToken>;

/** What each role may do; organisers may do everything judges may. */
export function allows(role: Role, needed: Role): boolean {
  return role === "organiser" || needed === "judge";
}
