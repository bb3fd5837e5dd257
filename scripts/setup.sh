#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for PerfLab: system packages (only those missing), the npm
# dependencies and a build. Idempotent; a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)   # native module of the VS Code server used by the e2e tests
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v g++ >/dev/null || need+=(g++ make)
if [ ${#need[@]} -gt 0 ]; then
  echo "perflab setup: installing ${need[*]} (apt)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("perflab setup: Node >= 20.19 is needed, this is "+process.version); process.exit(1) }'

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "perflab setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build >/dev/null
echo "perflab setup: ready"
