import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";

// Setup files run before each test file. The files of a project share their worker's
// runtime, one after another; each starts as in a runtime of its own: with fresh modules
// (no isolate's cache of an earlier file's answers), empty storage (every object, D1, KV,
// the queues' backlog) and the migrations applied.
vi.resetModules();
await reset();
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
