#!/usr/bin/env bash
# Installs what the e2e tier needs to drive a real VS Code: code-server (the VS Code server and
# web workbench) running on Node 24, and Chromium for playwright-core. Idempotent: once a stamp
# says the install is complete, a second run only checks the stamp.
#
# Usage: bash scripts/setup-vscode.sh [DIR]
#   DIR defaults to ${PERFLAB_CACHE:-$HOME/.cache/perflab}/vscode
# Env: CODE_SERVER_VERSION (4.139.1), NODE24_VERSION (24), CHROMIUM (path; skips the apt package)
# Quiet on success; on failure prints the tail of DIR/setup.log and exits non-zero.
set -euo pipefail

# An installer must not inherit the environment of an npm script that happens to call it (`npm
# test` -> e2e -> here): code-server's postinstall reads npm_config_user_agent, which then names
# the outer npm's Node 20 and makes it refuse to install under Node 24. Start from a clean slate.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -iE '^npm_|^NODE_OPTIONS$|^INIT_CWD$' || true)

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${NODE24_VERSION:-24}"
DIR="${1:-${PERFLAB_CACHE:-$HOME/.cache/perflab}/vscode}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
LOG="$DIR/setup.log"

case "$(uname -m)" in
  x86_64 | amd64) NODE_ARCH=x64 ;;
  aarch64 | arm64) NODE_ARCH=arm64 ;;
  *) echo "setup-vscode: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
NODE24_PKG="node-linux-$NODE_ARCH"
NODE24_HOME="$DIR/node24/node_modules/$NODE24_PKG"
CS_HOME="$DIR/cs/node_modules/code-server"
STAMP="$DIR/.installed-code-server-$CODE_SERVER_VERSION-node$NODE24_VERSION-$NODE_ARCH"
CHROMIUM_BIN="${CHROMIUM:-/usr/bin/chromium}"

# Fast path: everything was installed and verified by an earlier run.
if [ -f "$STAMP" ] && [ -x "$NODE24_HOME/bin/node" ] && [ -f "$CS_HOME/out/node/entry.js" ] && [ -x "$CHROMIUM_BIN" ]; then
  exit 0
fi

# Two test runs starting together must not install into the same folder at once.
if command -v flock >/dev/null 2>&1 && [ -z "${PERFLAB_SETUP_LOCKED:-}" ]; then
  exec 9>"$DIR/.setup.lock"
  flock 9
  export PERFLAB_SETUP_LOCKED=1
  if [ -f "$STAMP" ] && [ -x "$CHROMIUM_BIN" ]; then exit 0; fi
fi

: > "$LOG"
fail() {
  echo "setup-vscode: $1 (log: $LOG)" >&2
  tail -n 40 "$LOG" >&2 || true
  exit 1
}
run() { "$@" >> "$LOG" 2>&1; }

# 1. System packages, only those missing. kerberos (a native module of VS Code's server) needs
#    the GSSAPI headers; without them npm rolls the whole code-server install back.
need=()
[ -x "$CHROMIUM_BIN" ] || need+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "missing packages (${need[*]}); install them or run as root"
    SUDO=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || fail "missing packages (${need[*]}) and no apt-get to install them"
  echo "== apt-get install ${need[*]}" >> "$LOG"
  run ${SUDO[@]+"${SUDO[@]}"} apt-get update -qq || fail "apt-get update failed"
  run ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
    || fail "apt-get install ${need[*]} failed"
fi

# 2. Node 24 from the npm registry: the platform package ships bin/node and include/node headers.
if [ ! -x "$NODE24_HOME/bin/node" ]; then
  echo "== npm install $NODE24_PKG@$NODE24_VERSION" >> "$LOG"
  run npm install --prefix "$DIR/node24" --no-audit --no-fund --no-save "$NODE24_PKG@$NODE24_VERSION" \
    || fail "installing Node $NODE24_VERSION failed"
fi
node_version="$("$NODE24_HOME/bin/node" -v 2>>"$LOG")" || fail "Node $NODE24_VERSION does not run"
case "$node_version" in v"$NODE24_VERSION".*) ;; *) fail "expected Node $NODE24_VERSION, got $node_version" ;; esac

# 3. code-server, its native modules built by Node 24 against Node 24's headers. A global npmrc may
#    set nodedir (Debian: nodedir=/usr, Node 20 headers): npm_config_nodedir overrides it, else the
#    modules build for the wrong ABI and the extension host fails to start.
installed_version=""
[ -f "$CS_HOME/package.json" ] && installed_version="$("$NODE24_HOME/bin/node" -p "require('$CS_HOME/package.json').version" 2>/dev/null || true)"
native_ok() {
  local m
  for m in @vscode/spdlog/build/Release/spdlog.node @vscode/sqlite3/build/Release/vscode-sqlite3.node \
    kerberos/build/Release/kerberos.node @vscode/native-watchdog/build/Release/watchdog.node; do
    [ -f "$CS_HOME/lib/vscode/node_modules/$m" ] || return 1
  done
}
if [ "$installed_version" != "$CODE_SERVER_VERSION" ] || ! native_ok; then
  echo "== npm install code-server@$CODE_SERVER_VERSION" >> "$LOG"
  PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    run npm install --prefix "$DIR/cs" --no-audit --no-fund --no-save --foreground-scripts "code-server@$CODE_SERVER_VERSION" \
    || fail "installing code-server $CODE_SERVER_VERSION failed"
  native_ok || fail "code-server installed without its native modules"
fi

# 4. Smoke checks: a native module loads in Node 24 (right ABI), the server prints its version.
run "$NODE24_HOME/bin/node" -e "require('$CS_HOME/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node')" \
  || fail "code-server's native modules were built for another Node ABI; remove $DIR/cs and run again"
XDG_DATA_HOME="$DIR/.xdg" XDG_CONFIG_HOME="$DIR/.xdg" PATH="$NODE24_HOME/bin:$PATH" \
  run "$NODE24_HOME/bin/node" "$CS_HOME/out/node/entry.js" --version --config /dev/null \
  || fail "code-server does not start"
grep -q "$CODE_SERVER_VERSION" "$LOG" || fail "code-server reports an unexpected version"

rm -f "$DIR"/.installed-code-server-*
touch "$STAMP"
