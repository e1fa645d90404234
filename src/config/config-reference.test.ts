import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withConfigTable } from "./config-reference.js";
import { settings } from "./settings.js";

describe("README configuration reference", () => {
  it("matches the settings the code validates (run `npm run docs:config` after changing them)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toBe(withConfigTable(readme));
  });

  it("documents every setting", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const setting of Object.values(settings)) expect(readme).toContain(`\`${setting.env}\``);
  });
});
