import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";

// Setup files run before each test file. The files of a project share their worker's
// runtime, one after another; each starts as in a runtime of its own: with fresh modules
// (no isolate's cache of an earlier file's answers), empty storage (every object, D1, KV,
// the queues' backlog) and the migrations applied.
vi.resetModules();
// The first reset stops the earlier file's objects, their timers and alarms with them; what
// was already on its way (a count pushed to a relay, a queue batch being written) lands
// within moments, and the second reset takes it away.
await reset();
await scheduler.wait(100);
await reset();
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
