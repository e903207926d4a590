import type { IRequest } from "itty-router";
import type { Config } from "../config";
import type { Env } from "../env";

/** A request once the router's `before` step has validated the configuration. */
export type AppRequest = IRequest & { config: Config };

export type RouterArgs = [env: Env, ctx: ExecutionContext];
