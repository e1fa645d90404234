// Fails when src/gen differs from what `npm run generate` produces from proto/.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const scratch = mkdtempSync(join(tmpdir(), "orbit-gen-"));
try {
  execFileSync("npx", ["--no-install", "buf", "generate", "--output", scratch], { stdio: "inherit" });
  try {
    execFileSync("diff", ["-r", join(scratch, "src/gen"), "src/gen"], { stdio: "inherit" });
  } catch {
    console.error("src/gen is stale: run `npm run generate` and commit the result.");
    process.exit(1);
  }
  console.log("src/gen is current.");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
