import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { EMPTY_WORKSPACE, GITHUB_TOKENS, startUiStack } from "./support/ui-stack.js";
import { versionsOf } from "./support/versions.js";
import type { UiStack } from "./support/ui-stack.js";

// Issue 16's acceptance in a real browser (Debian's Chromium through playwright-core)
// against the real stack: the built UI → gateway (CORS) → sidecar → GitHub simulator.

// `npm run screenshots` refreshes the README's pictures; other runs keep theirs out of the tree.
const SCREENSHOTS = fileURLToPath(
  new URL(process.env.UPDATE_SCREENSHOTS === "1" ? "../../docs/screenshots/" : "../test-output/", import.meta.url),
);
const UI_TIMEOUT_MS = 20_000;

let stack: UiStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Logged in as a workspace admin with the developer's GitHub token. */
let developer: Page;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startUiStack(), launchChromium()]);
  const environment = { repository: "acme/checkout", workflow: "deploy.yml", job: "deploy" };
  await stack.configure([
    { service: "checkout", name: "staging", order: 0, ...environment, githubEnvironment: "staging" },
    { service: "checkout", name: "production", order: 1, ...environment, githubEnvironment: "production" },
  ]);
  developer = await open({ githubToken: GITHUB_TOKENS.dev });
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

// A failed step leaves a picture of every open page for the log reader.
afterEach(async (context) => {
  if (context.task.result?.state !== "fail") return;
  for (const [index, page] of contexts.flatMap((browserContext) => browserContext.pages()).entries()) {
    await page
      .screenshot({
        path: `${process.env.UI_FAILURE_DIR ?? "/tmp"}/ui-failure-${context.task.name.slice(0, 30).replace(/\W+/g, "-")}-${index}.png`,
      })
      .catch(() => undefined);
  }
});

async function open(options: { admin?: boolean; githubToken?: string; width?: number; workspaceId?: string }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 860 }, deviceScaleFactor: 1 });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.goto(await stack.link(options));
  return page;
}

const stage = (page: Page, environment: string) => page.getByTestId(`stage-${environment}`);
const live = (page: Page) => page.locator("[data-live]");
async function seen(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: "visible" });
  return locator;
}

/** Picks a version with the keyboard only: type to search, arrow to it, Enter. */
async function pickVersion(page: Page, search: string, name: string): Promise<void> {
  const picker = page.getByRole("combobox", { name: "Version" });
  await picker.fill(search);
  // The list shows the answer for this very search (not the one before the debounce).
  await seen(page.locator(`[role=listbox][data-query="${search}"][aria-busy=false]`));
  const options = await page.getByRole("option").allTextContents();
  const index = options.findIndex((text) => text.includes(name));
  expect(index).toBeGreaterThanOrEqual(0);
  for (let step = 0; step < index; step++) await picker.press("ArrowDown");
  await picker.press("Enter");
}

/** Deploys through the form and returns the run id the UI reports. */
async function deploy(page: Page, environment: string, search: string, version: string): Promise<number> {
  await page.getByRole("form", { name: "Deploy a version" }).getByLabel("Environment").selectOption(environment);
  await pickVersion(page, search, version);
  const dispatched = page
    .getByRole("form", { name: "Deploy a version" })
    .getByRole("status")
    .filter({ hasText: /Run #\d+ dispatched/ });
  const before = (await dispatched.count()) > 0 ? await dispatched.first().textContent() : "";
  await page.getByRole("button", { name: `Deploy ${version} to ${environment}` }).click();
  // The answer to this dispatch, not the previous one's.
  await page.waitForFunction((previous) => {
    const text = Array.from(document.querySelectorAll("form[aria-label='Deploy a version'] [role=status]"))
      .map((node) => node.textContent ?? "")
      .join("");
    return /Run #\d+ dispatched/.test(text) && text !== previous;
  }, before);
  const runId = Number(/Run #(\d+)/.exec((await dispatched.first().textContent()) ?? "")?.[1]);
  expect(runId).toBeGreaterThan(0);
  return runId;
}

describe.sequential("the deployments and plugins UI in Chromium (issue 16)", () => {
  let productionRun = 0;

  it("shows the pipeline live, in order, over WatchPipeline", async () => {
    await seen(live(developer).filter({ hasText: "Live" }));
    const names = await developer.locator(".stage__name").allTextContents();
    expect(names).toEqual(["staging", "production"]);
    await seen(stage(developer, "staging").filter({ hasText: "Pending" }));
  });

  it("deploys v1.1.0 then v1.2.0 to staging: each run shows at once, then succeeds", async () => {
    for (const version of ["v1.1.0", "v1.2.0"]) {
      const runId = await deploy(developer, "staging", version.slice(0, 4), version);
      // At once, before GitHub moves the run: it is queued on the card (from the dispatch, or already from the stream).
      await seen(stage(developer, "staging").filter({ hasText: "Queued" }).filter({ hasText: version }));
      await stack.github.settle(runId);
      await seen(stage(developer, "staging").getByTestId("current-version").filter({ hasText: version }));
      await seen(stage(developer, "staging").filter({ hasText: "Success" }));
    }
    await seen(developer.getByTestId("stage-staging").getByRole("link", { name: /on GitHub/ }));
    await developer.screenshot({ path: `${SCREENSHOTS}dashboard.png`, fullPage: true });
  });

  it("deploys to production, which waits for approval; the developer sees who can approve", async () => {
    productionRun = await deploy(developer, "production", "v1.2", "v1.2.0");
    await stack.github.settle(productionRun);
    const production = stage(developer, "production");
    await seen(production.filter({ hasText: "Waiting for approval" }));
    await seen(production.filter({ hasText: "Needs a review by release-manager" }));
    await seen(production.filter({ hasText: "You are not a required reviewer" }));
    expect(await production.getByRole("button", { name: "Approve" }).count()).toBe(0);
  });

  it("the reviewer approves inline with a comment; production succeeds", async () => {
    const reviewer = await open({ githubToken: GITHUB_TOKENS.releaseManager });
    const production = stage(reviewer, "production");
    await seen(production.getByRole("button", { name: "Approve" }));
    await reviewer.screenshot({ path: `${SCREENSHOTS}pipeline-approval.png`, fullPage: false });
    await production.getByLabel("Comment").fill("ship it");
    await production.getByRole("button", { name: "Approve" }).click();
    // The gate opens: the run goes on (the panel closes as soon as the stream says so).
    await seen(production.filter({ hasText: /Approved|Running|Queued|Success/ }));
    await stack.github.settle(productionRun);
    await seen(stage(reviewer, "production").filter({ hasText: "Success" }));
    await seen(stage(developer, "production").getByTestId("current-version").filter({ hasText: "v1.2.0" }));
    await developer.screenshot({ path: `${SCREENSHOTS}pipeline.png`, fullPage: false });
  });

  it("the reviewer rejects the next production run; it fails and the deployed version stays", async () => {
    const runId = await deploy(developer, "production", "v1.1", "v1.1.0");
    await stack.github.settle(runId);
    const reviewer = await open({ githubToken: GITHUB_TOKENS.releaseManager });
    const production = stage(reviewer, "production");
    await seen(production.getByRole("button", { name: "Reject" }));
    await production.getByLabel("Comment").fill("not today");
    await production.getByRole("button", { name: "Reject" }).click();
    await seen(stage(reviewer, "production").filter({ hasText: "Failed" }));
    await seen(stage(developer, "production").filter({ hasText: "Failed" }));
    await seen(stage(developer, "production").getByTestId("current-version").filter({ hasText: "v1.2.0" }));
  });

  it("rolls staging back to v1.1.0 from the history, after a confirmation", async () => {
    const history = developer.getByRole("region", { name: "History" });
    await history.getByLabel("Environment").selectOption("staging");
    await history.getByLabel("Filter").fill("v1.1.0");
    await history.getByRole("button", { name: "Roll back to this" }).first().click();
    await seen(history.getByRole("group", { name: "Confirm rollback" }).filter({ hasText: "Redeploy v1.1.0 to staging?" }));
    await history.getByRole("button", { name: "Confirm rollback" }).click();
    const message = await seen(history.getByRole("status").filter({ hasText: "Rolling staging back to v1.1.0" }));
    const runId = Number(/run #(\d+)/.exec((await message.first().textContent()) ?? "")?.[1]);
    await stack.github.settle(runId);
    await seen(stage(developer, "staging").getByTestId("current-version").filter({ hasText: "v1.1.0" }));
    await history.getByLabel("Filter").fill("");
    await seen(history.getByText(/rollback of #\d+/));
  });

  it("refuses a hand-typed SHA that does not exist, and accepts one that does", async () => {
    const picker = developer.getByRole("combobox", { name: "Version" });
    await picker.fill("deadbeefdeadbeef");
    await developer.getByRole("option").filter({ hasText: "Use commit deadbeefdeadbeef" }).click();
    await seen(developer.locator(".picker .field__error").filter({ hasText: /not found|No commit/i }));
    const { versions } = await versionsOf(stack);
    // An untagged commit (a tagged one is listed under its tag first).
    const tagged = new Set(versions.filter((version) => version.kind === "tag").map((version) => version.sha));
    const commit = versions.find((version) => version.kind === "commit" && !tagged.has(version.sha));
    expect(commit).toBeDefined();
    await pickVersion(developer, commit!.sha.slice(0, 12), commit!.name);
    expect(await picker.inputValue()).toBe(commit!.name);
    await seen(developer.getByRole("button", { name: new RegExp(`^Deploy ${commit!.name} to `) }));
  });

  it("adds, edits and deletes an environment; GitHub's refusal shows on the field", async () => {
    // Keyboard only: arrow to the Environments tab, Tab to "Add environment", Enter.
    await developer.getByRole("tab", { name: "Pipeline" }).focus();
    await developer.keyboard.press("ArrowRight");
    expect(await developer.getByRole("tab", { name: "Environments" }).getAttribute("aria-selected")).toBe("true");
    await developer.getByRole("button", { name: "Add environment" }).focus();
    await developer.keyboard.press("Enter");
    const form = developer.getByRole("form", { name: "New environment" });
    await form.getByLabel("Name").fill("qa");
    await form.getByLabel("Position").fill("2");
    await form.getByLabel("Repository").fill("acme/checkout");
    // The repository's dispatchable workflows are offered (ListWorkflows); ci.yml (push only) is not.
    await form.locator("datalist option[value='deploy.yml']").waitFor({ state: "attached" });
    expect(await form.locator("datalist option[value='ci.yml']").count()).toBe(0);
    await form.getByLabel("Workflow file").fill("nope.yml");
    await form.getByRole("button", { name: "Save" }).click();
    const workflowError = await seen(form.locator(".field__error").filter({ hasText: "nope.yml" }));
    expect(await form.getByLabel("Workflow file").getAttribute("aria-invalid")).toBe("true");
    expect(await workflowError.count()).toBe(1);
    await developer.screenshot({ path: `${SCREENSHOTS}environment-field-error.png`, fullPage: false });

    await form.getByLabel("Workflow file").fill("deploy.yml");
    await form.getByRole("button", { name: "Save" }).click();
    await seen(developer.getByRole("status").filter({ hasText: "Added qa" }));
    await seen(developer.getByTestId("environment-row-qa").filter({ hasText: "acme/checkout" }));

    await developer.getByRole("button", { name: "Edit qa" }).click();
    const edit = developer.getByRole("form", { name: "Edit qa" });
    await edit.getByLabel("GitHub environment").fill("staging");
    await edit.getByRole("button", { name: "Save" }).click();
    await seen(developer.getByTestId("environment-row-qa").filter({ hasText: "staging" }));

    await developer.getByRole("button", { name: "Delete qa" }).click();
    await developer.getByRole("button", { name: "Confirm delete" }).click();
    await seen(developer.getByRole("status").filter({ hasText: "Deleted qa" }));
    await developer.getByTestId("environment-row-qa").waitFor({ state: "detached" });
    await developer.getByRole("tab", { name: "Pipeline" }).click();
  });

  it("enables and configures a plugin from its schema; secrets are write-only; the audit log records it", async () => {
    await developer.getByRole("link", { name: "Plugins" }).click();
    const jira = await seen(developer.getByTestId("plugin-jira"));
    await jira.getByRole("button", { name: "Enable…" }).click();
    const form = developer.getByRole("form", { name: /Settings of/ });
    await form.getByLabel("Base URL").fill("https://acme.atlassian.net");
    await form.getByRole("button", { name: /^Enable/ }).click();
    // The schema requires email: the gateway's INVALID_ARGUMENT names the field.
    await seen(form.locator(".field__error").filter({ hasText: "email" }));
    await form.getByLabel("Email").fill("bot@acme.example");
    const secret = `jira-secret-${Date.now()}`;
    await form.getByLabel(/API Token/).fill(secret);
    await form.getByRole("button", { name: /^Enable/ }).click();
    await seen(developer.getByTestId("plugin-jira").getByTestId("plugin-enabled").filter({ hasText: "enabled" }));
    await seen(developer.getByTestId("secret-state-api_token").filter({ hasText: /^set$/ }));
    expect(await developer.getByLabel(/API Token/).inputValue()).toBe("");
    expect(await developer.content()).not.toContain(secret);
    await seen(developer.locator(".audit__list li").filter({ hasText: "admin-web" }));
    await developer.screenshot({ path: `${SCREENSHOTS}plugins.png`, fullPage: true });

    await developer.getByTestId("plugin-jira").getByRole("button", { name: "Disable" }).click();
    await seen(developer.getByTestId("plugin-jira").getByTestId("plugin-enabled").filter({ hasText: "disabled" }));
    await developer.getByRole("link", { name: "Deployments" }).click();
  });

  it("explains PERMISSION_DENIED to a non-admin and RESOURCE_EXHAUSTED with its retry delay", async () => {
    const member = await open({ admin: false, githubToken: GITHUB_TOKENS.dev });
    await member.getByRole("link", { name: "Plugins" }).click();
    await (await seen(member.getByTestId("plugin-deployment"))).getByRole("button", { name: "Configure" }).click();
    await member.getByRole("button", { name: "Save settings" }).click();
    const denied = await seen(member.getByRole("alert").filter({ hasText: "needs an admin token" }));
    expect(await denied.first().textContent()).toContain("Ask a workspace admin");

    await stack.github.forceRateLimit("dev");
    try {
      await member.getByRole("link", { name: "Deployments" }).click();
      await member.getByRole("combobox", { name: "Version" }).fill("v1.0");
      const limited = await seen(member.getByRole("alert").filter({ hasText: "Rate limit reached" }));
      expect(await limited.first().textContent()).toMatch(/Retry possible in \d+ (h|min|s)/);
      await member.screenshot({ path: `${SCREENSHOTS}error-rate-limited.png`, fullPage: false });
    } finally {
      await stack.github.clearRateLimits();
    }
  });

  it("shows 'reconnecting' while the gateway restarts and resumes live on its own", async () => {
    await seen(live(developer).filter({ hasText: "Live" }));
    await stack.stopGateway();
    await seen(live(developer).filter({ hasText: "Reconnecting" }));
    await stack.startGateway();
    await seen(live(developer).filter({ hasText: "Live" }));
    // The resumed stream carries the current pipeline.
    await seen(stage(developer, "production").getByTestId("current-version").filter({ hasText: "v1.2.0" }));
  });

  it("guides a workspace without services to configure its first environment", async () => {
    const page = await open({ workspaceId: EMPTY_WORKSPACE, githubToken: GITHUB_TOKENS.dev });
    await seen(page.getByText("No service has a deployment environment yet"));
    await page.getByLabel("New service name").fill("payments");
    await page.getByLabel("New service name").press("Enter");
    await seen(page.getByRole("tab", { name: "Environments", selected: true }));
    await seen(page.getByText("No environments yet: add the first one."));
    await page.getByRole("button", { name: "Add environment" }).click();
    const form = page.getByRole("form", { name: "New environment" });
    await form.getByLabel("Name").fill("staging");
    await form.getByLabel("Repository").fill("acme/payments");
    await form.getByLabel("Workflow file").fill("deploy.yml");
    await form.getByRole("button", { name: "Save" }).click();
    await seen(page.getByTestId("environment-row-staging"));
    await page.getByRole("tab", { name: "Pipeline" }).click();
    await seen(stage(page, "staging").filter({ hasText: "Pending" }));
    expect(await page.getByLabel("Service", { exact: true }).inputValue()).toBe("payments");
  });

  it("works at 375 px wide without horizontal scrolling", async () => {
    const phone = await open({ githubToken: GITHUB_TOKENS.dev, width: 375 });
    await seen(live(phone).filter({ hasText: "Live" }));
    await seen(stage(phone, "production").filter({ hasText: "v1.2.0" }));
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${SCREENSHOTS}dashboard-375px.png`, fullPage: true });
  });
});
