// Gzip size of what the dashboard route loads (dist/index.html's entry script, its
// preloaded chunks and stylesheets); fails above the 150 KB goal. Lazy chunks (plugins
// admin, environment settings) load only when opened and are listed apart.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const GOAL_BYTES = 150 * 1024;
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]);
const gzipped = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

let total = 0;
for (const file of initial) {
  const size = gzipped(file);
  total += size;
  console.log(`dashboard route  ${file.padEnd(44)} ${kb(size)} gzip`);
}
for (const file of readdirSync(join(dist, "assets")).map((name) => `assets/${name}`)) {
  if (!initial.includes(file)) console.log(`lazy             ${file.padEnd(44)} ${kb(gzipped(file))} gzip`);
}
console.log(`dashboard route total: ${kb(total)} gzip (goal ≤ ${kb(GOAL_BYTES)})`);
if (total > GOAL_BYTES) {
  console.error("the dashboard route exceeds its size goal: keep dependencies out of it or split them into lazy chunks");
  process.exit(1);
}
