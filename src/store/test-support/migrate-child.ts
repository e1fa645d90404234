/**
 * Test helper process: connects to the database in argv[2], prints "ready", waits for
 * a line on stdin, migrates, and prints the versions it applied as JSON. The parent
 * releases several of these at once to make them race for real.
 */
import { createInterface } from "node:readline";
import { createDatabase } from "../database.js";
import { migrate } from "../migrate.js";

const url = process.argv[2];
if (!url) throw new Error("usage: migrate-child.ts <database url>");
const db = await createDatabase({ url });
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once("line", () => resolve()));
lines.close();
try {
  const result = await migrate(db);
  process.stdout.write(`${JSON.stringify(result.applied)}\n`);
} finally {
  await db.close();
}
