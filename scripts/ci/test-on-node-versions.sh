#!/usr/bin/env bash
# Runs `npm test` (gateway and sidecar suites) on the machine's Node.js, then again on each Node.js
# release in CI_EXTRA_NODE_VERSIONS, and prints how long each run took.
#
# The extra releases come from the npm registry's `node` package (its install step fetches the
# matching `node-<os>-<arch>` package, also from the registry: a binary plus its C headers). They are
# kept under ORBIT_CI_CACHE between runs. The sidecar's SQLite is better-sqlite3 13 (Node-API
# prebuilds in the package) on Node 22.15+/24 and better-sqlite3 12 on Node 20, which is compiled per
# Node ABI against those headers (node-gyp's --nodedir, so nothing is downloaded) and kept per ABI,
# so switching back and forth is a file copy. On exit the build for the machine's own Node is put
# back, so the work tree stays usable with plain `node`.
#
# Usage: bash scripts/ci/test-on-node-versions.sh   (from .ci/run, after both `npm ci`)
set -euo pipefail
cd "$(dirname "$0")/../.."

# Exact versions, so that a CI run is repeatable; raise them deliberately.
EXTRA_VERSIONS="${CI_EXTRA_NODE_VERSIONS-22.23.3 24.21.0}"
CACHE_DIR="${ORBIT_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orbit-ci}"
SQLITE_DIR="sidecar/node_modules/better-sqlite3"
SQLITE_BINARY="$SQLITE_DIR/build/Release/better_sqlite3.node"

log() { printf '\n[ci:node] %s\n' "$*"; }

# Prints the bin directory of Node.js VERSION, installing it into the cache first if needed.
node_bin_dir() {
  # Two statements: `local a=1 b=$a` expands $a before either is set.
  local version="$1"
  local prefix="$CACHE_DIR/node-$version"
  if [[ ! -x "$prefix/node_modules/node/bin/node" ]] || [[ "$("$prefix/node_modules/node/bin/node" -v)" != "v$version" ]]; then
    rm -rf "$prefix" && mkdir -p "$prefix"
    # The `node` package's preinstall script is what fetches the binary: allow exactly that one.
    printf '{"private":true,"dependencies":{"node":"%s"},"allowScripts":{"node":true}}\n' "$version" >"$prefix/package.json"
    (cd "$prefix" && npm install --no-package-lock --no-audit --no-fund >&2)
  fi
  echo "$prefix/node_modules/node/bin"
}

# Prints the directory holding include/node/ (node-gyp's --nodedir) for the node first on PATH.
node_headers_dir() {
  node -p 'const p=require("node:path"),f=require("node:fs");const d=p.join(p.dirname(process.execPath),"..");
    const dirs=[d,p.join(d,"node_modules/node-"+process.platform+"-"+process.arch)];
    dirs.find((x)=>f.existsSync(p.join(x,"include/node/node.h")))??""'
}

# Prints which better-sqlite3 build the sidecar picks on the node first on PATH (@internal/sqlite-driver).
sqlite_driver_kind() {
  (cd sidecar && node --import tsx -e 'console.log(require("@internal/sqlite-driver").chooseSqliteDriver())')
}

# Puts a better-sqlite3 12 binary built for the node first on PATH in place (cached per ABI), where the
# sidecar uses that build (Node 20); on Node 22.15+/24 it uses better-sqlite3 13's Node-API prebuild,
# nothing to compile. Then opens a database the way the sidecar does.
use_native_modules_for_current_node() {
  local abi cached
  if [[ "$(sqlite_driver_kind)" == object-wrap ]]; then
    abi="$(node -p 'process.versions.modules')"
    cached="$CACHE_DIR/better-sqlite3-$(node -p 'require("./'"$SQLITE_DIR"'/package.json").version')-abi$abi-$(node -p 'process.platform+"-"+process.arch').node"
    if [[ -f "$cached" ]]; then
      cp "$cached" "$SQLITE_BINARY"
    else
      local nodedir
      nodedir="$(node_headers_dir)"
      [[ -n "$nodedir" ]] || { echo "no Node.js headers found next to $(command -v node)" >&2; exit 1; }
      log "compiling better-sqlite3 for $(node -v) (ABI $abi) against $nodedir"
      (cd sidecar && npm_config_nodedir="$nodedir" npm_config_build_from_source=true npm rebuild better-sqlite3 >&2)
      mkdir -p "$CACHE_DIR" && cp "$SQLITE_BINARY" "$cached"
    fi
  fi
  (cd sidecar && node --import tsx -e 'const d = require("@internal/sqlite-driver").installSqliteDriver();
    new (require("better-sqlite3"))(":memory:").close();
    console.log(`[ci:node] ${process.version}: better-sqlite3 ${d.version} (${d.kind})`)')
}

remember_native_modules_of_machine_node() {
  local abi cached
  abi="$(node -p 'process.versions.modules')"
  cached="$CACHE_DIR/better-sqlite3-$(node -p 'require("./'"$SQLITE_DIR"'/package.json").version')-abi$abi-$(node -p 'process.platform+"-"+process.arch').node"
  mkdir -p "$CACHE_DIR" && cp "$SQLITE_BINARY" "$cached"
}

declare -a SUMMARY=()
declare -a FAILURES=()
run_suite() {
  local label started elapsed status=0
  label="Node.js $(node -v)"
  log "npm test on $label ($(command -v node))"
  started=$(date +%s)
  local output="$CACHE_DIR/npm-test-$(node -v).log"
  mkdir -p "$CACHE_DIR"
  # The whole output goes to the terminal as usual and to a file, so that the summary at the very end
  # can repeat what failed (CI keeps only the tail of a long log, which is the last Node's run).
  npm test 2>&1 | tee "$output" || status=$?
  elapsed=$(($(date +%s) - started))
  SUMMARY+=("$label: $([[ $status -eq 0 ]] && echo passed || echo "FAILED ($status)") in ${elapsed}s")
  if [[ $status -ne 0 ]]; then
    FAILURES+=("--- $label: what failed ---")
    # Vitest's failure headings and assertion lines, npm's error lines; colours stripped.
    mapfile -t -O "${#FAILURES[@]}" FAILURES < <(sed 's/\x1b\[[0-9;]*m//g' "$output" |
      grep -E '(FAIL |AssertionError|Error:|✗|×|npm error|ERR!|Tests .*failed|exited with)' | head -40)
  fi
  log "${SUMMARY[-1]}"
  return "$status"
}

print_summary() {
  log "summary"
  printf '  %s\n' "${SUMMARY[@]}"
  if [[ ${#FAILURES[@]} -gt 0 ]]; then printf '%s\n' "${FAILURES[@]}"; fi
}

remember_native_modules_of_machine_node
ORIGINAL_PATH="$PATH"
restore_machine_node() { PATH="$ORIGINAL_PATH" use_native_modules_for_current_node >/dev/null 2>&1 || true; }
trap restore_machine_node EXIT

overall=0
run_suite || overall=1
for version in $EXTRA_VERSIONS; do
  bin="$(node_bin_dir "$version")"
  export PATH="$bin:$ORIGINAL_PATH"
  use_native_modules_for_current_node
  run_suite || overall=1
done
export PATH="$ORIGINAL_PATH"
print_summary
exit "$overall"
