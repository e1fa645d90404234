import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/redis-server.js";
import { launchChromium } from "./support/browser.js";

// `npm run demo` as a person uses it: open the printed link, deploy to staging, deploy
// to production, approve as the reviewer — with the simulator advancing runs on its own.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let demo: ChildProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  if (demo?.pid && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo?.once("exit", resolve));
    process.kill(-demo.pid, "SIGTERM");
    await exited;
  }
});

async function startDemo(): Promise<{ developer: string; reviewer: string }> {
  const [port, sidecarPort, githubPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  demo = spawn("npm", ["run", "demo", "--silent"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      SIDECAR_PORT: String(sidecarPort),
      DEMO_GITHUB_PORT: String(githubPort),
      DEMO_WEB_PORT: String(webPort),
      DEMO_RUN_STEP_MS: "300",
      PIPELINE_WATCH_INTERVAL: "500ms",
      NODE_ENV: "development",
    },
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const developer = /as the developer: +(\S+)/.exec(output)?.[1];
      const reviewer = /as the reviewer: +(\S+)/.exec(output)?.[1];
      if (developer && reviewer && output.includes("Ctrl-C stops everything")) resolve({ developer, reviewer });
    };
    demo?.stdout?.on("data", onData);
    demo?.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    demo?.once("exit", (code) => reject(new Error(`npm run demo exited with ${code}:\n${output.slice(-3000)}`)));
  });
}

async function pick(page: Page, version: string, environment: string): Promise<void> {
  const form = page.getByRole("form", { name: "Deploy a version" });
  await form.getByLabel("Environment").selectOption(environment);
  const picker = form.getByRole("combobox", { name: "Version" });
  await picker.fill(version);
  await page.locator(`[role=listbox][data-query="${version}"][aria-busy=false]`).waitFor();
  await page.getByRole("option").filter({ hasText: version }).first().click();
  await form.getByRole("button", { name: `Deploy ${version} to ${environment}` }).click();
}

describe("npm run demo serves the UI and the whole flow works there", () => {
  it("deploys staging → production through the approval gate from the printed links", async () => {
    const [links, launched] = await Promise.all([startDemo(), launchChromium()]);
    browser = launched;
    const developer = await (await browser.newContext()).newPage();
    developer.setDefaultTimeout(30_000);
    await developer.goto(links.developer);
    // The token left the address bar once read.
    expect(developer.url()).not.toContain("token=");
    await developer.locator("[data-live]").filter({ hasText: "Live" }).waitFor();

    await pick(developer, "v1.2.0", "staging");
    await developer.getByTestId("stage-staging").filter({ hasText: "Success" }).filter({ hasText: "v1.2.0" }).waitFor();
    await pick(developer, "v1.2.0", "production");
    await developer.getByTestId("stage-production").filter({ hasText: "Waiting for approval" }).waitFor();

    const reviewer = await (await browser.newContext()).newPage();
    reviewer.setDefaultTimeout(30_000);
    await reviewer.goto(links.reviewer);
    await reviewer.getByTestId("stage-production").getByRole("button", { name: "Approve" }).click();
    await developer
      .getByTestId("stage-production")
      .filter({ hasText: "Success" })
      .getByTestId("current-version")
      .filter({ hasText: "v1.2.0" })
      .waitFor();
  }, 240_000);
});
