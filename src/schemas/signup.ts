import * as v from "valibot";
import { Consent, EmailAddress, Text } from "./fields";

/** POST /signup. */
export const SignupForm = v.object({
  firstname: Text("First name", 100),
  lastname: Text("Last name", 100),
  email: EmailAddress,
  accept_rules: Consent("Accept the rules to sign up"),
});

export type SignupForm = v.InferOutput<typeof SignupForm>;

/** What the Worker hands a Registrant object: who signs up. */
export const Registration = v.object({
  firstname: SignupForm.entries.firstname,
  lastname: SignupForm.entries.lastname,
  email: EmailAddress,
});

export type Registration = v.InferOutput<typeof Registration>;

/** POST /link: an entrant who lost their link asks for a new one. */
export const LinkRequestForm = v.object({ email: EmailAddress });
