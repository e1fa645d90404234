import { describe, expect, it } from "vitest";
import { evaluateAudit, reportError } from "../scripts/audit/evaluate.js";

/** The shape of `npm audit --json` (auditReportVersion 2), trimmed to what the audit reads. */
const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    "fast-xml-parser": {
      name: "fast-xml-parser",
      severity: "high",
      via: [
        {
          source: 1,
          name: "fast-xml-parser",
          title: "Prototype pollution",
          url: "https://github.com/advisories/GHSA-x3rw-vv3q-5gvg",
          severity: "high",
        },
      ],
    },
    "aws-sdk": { name: "aws-sdk", severity: "high", via: ["fast-xml-parser"] },
    cookie: {
      name: "cookie",
      severity: "low",
      via: [
        {
          source: 2,
          name: "cookie",
          title: "Out of bounds characters",
          url: "https://github.com/advisories/GHSA-pxg6-pf52-xh8x",
          severity: "low",
        },
      ],
    },
  },
  metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, high: 2, critical: 0, total: 3 } },
};
const clean = {
  auditReportVersion: 2,
  vulnerabilities: {},
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
};
const acceptance = (reviewBy: string) => ({
  advisories: [
    {
      id: "GHSA-x3rw-vv3q-5gvg",
      package: "fast-xml-parser",
      trees: ["sidecar"],
      severity: "high",
      reason: "only parses our own config",
      reviewBy,
    },
  ],
});
const today = new Date("2026-12-02T12:00:00Z");

describe("npm audit verdict", () => {
  it("fails on a HIGH advisory nobody accepted, and counts by severity per tree", () => {
    const verdict = evaluateAudit(
      [
        { tree: "root", report: clean },
        { tree: "sidecar", report },
      ],
      { advisories: [] },
      today,
    );
    expect(verdict.failed).toBe(true);
    expect(verdict.unaccepted).toEqual([
      { tree: "sidecar", id: "GHSA-x3rw-vv3q-5gvg", package: "fast-xml-parser", severity: "high", title: "Prototype pollution" },
    ]);
    expect(verdict.counts).toEqual([
      { tree: "root", counts: { critical: 0, high: 0, moderate: 0, low: 0, info: 0 } },
      { tree: "sidecar", counts: { critical: 0, high: 2, moderate: 0, low: 1, info: 0 } },
    ]);
  });

  it("passes an accepted advisory until its review date, then fails", () => {
    expect(evaluateAudit([{ tree: "sidecar", report }], acceptance("2026-12-02"), today).failed).toBe(false);
    const expired = evaluateAudit([{ tree: "sidecar", report }], acceptance("2026-12-01"), today);
    expect(expired.failed).toBe(true);
    expect(expired.expired.map((entry) => entry.id)).toEqual(["GHSA-x3rw-vv3q-5gvg"]);
  });

  it("accepts only for the trees named", () => {
    expect(evaluateAudit([{ tree: "root", report }], acceptance("2027-06-01"), today).failed).toBe(true);
  });

  it("refuses acceptances without a reason or a review date", () => {
    const verdict = evaluateAudit(
      [{ tree: "root", report: clean }],
      { advisories: [{ id: "GHSA-x3rw-vv3q-5gvg", package: "p", trees: ["root"], severity: "high", reviewBy: "soon" }] },
      today,
    );
    expect(verdict.failed).toBe(true);
    expect(verdict.problems).toEqual(["accepted advisories[0] (GHSA-x3rw-vv3q-5gvg): reason missing"]);
  });

  it("does not fail when the audit endpoint could not be asked, and says so", () => {
    expect(reportError({ error: { code: null, summary: "", detail: "" } })).toBe("the audit endpoint returned an error");
    expect(reportError({ error: { code: "ENOTFOUND", summary: "request to https://registry.npmjs.org failed" } })).toBe(
      "ENOTFOUND: request to https://registry.npmjs.org failed",
    );
    const verdict = evaluateAudit([{ tree: "root", unreachable: "ENOTFOUND" }], { advisories: [] }, today);
    expect(verdict).toMatchObject({ failed: false, counts: [{ tree: "root", unreachable: "ENOTFOUND" }] });
  });

  it("reports acceptances that no longer match anything", () => {
    const verdict = evaluateAudit([{ tree: "sidecar", report: clean }], acceptance("2027-06-01"), today);
    expect(verdict.failed).toBe(false);
    expect(verdict.unused.map((entry) => entry.package)).toEqual(["fast-xml-parser"]);
  });
});
