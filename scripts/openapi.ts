// Writes public/admin/api/openapi.json, the judges' OpenAPI document as the Worker serves it
// to judges (through its ASSETS binding), from src/judges/openapi.ts. Run it after changing
// that file; test/judges/actions.test.ts fails until the two agree.
// Usage: npm run openapi
import { mkdirSync, writeFileSync } from "node:fs";
import { ADMIN_OPENAPI } from "../src/judges/openapi.ts";

const target = new URL("../public/admin/api/openapi.json", import.meta.url);
mkdirSync(new URL(".", target), { recursive: true });
writeFileSync(target, JSON.stringify(ADMIN_OPENAPI));
console.log(`wrote ${target.pathname}`);
