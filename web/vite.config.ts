import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The demo app (index.html) is the entry; the plugins and environment-settings views are
// split into their own chunks so the dashboard route loads only what it shows.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "dist",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
  },
});
