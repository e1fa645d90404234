// `npm run docs:config`: rewrites the README's configuration table from src/config/settings.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { withConfigTable } from "../src/config/config-reference.js";

const path = new URL("../README.md", import.meta.url);
writeFileSync(path, withConfigTable(readFileSync(path, "utf8")));
console.log("README.md configuration table updated.");
