// Fails when web/src/gen differs from what `npm run generate` produces from the root's proto/.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "orbit-web-gen-"));
try {
  execFileSync("npx", ["--no-install", "buf", "generate", "--template", "web/buf.gen.yaml", "--output", scratch], {
    cwd: root,
    stdio: "inherit",
  });
  try {
    execFileSync("diff", ["-r", join(scratch, "web/src/gen"), join(root, "web/src/gen")], { stdio: "inherit" });
  } catch {
    console.error("web/src/gen is stale: run `npm run generate` in web/ and commit the result.");
    process.exit(1);
  }
  console.log("web/src/gen is current.");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
