#!/usr/bin/env bash
# Runs a TypeScript entry point on Node 24 after setting up what is missing (`npm start`, benches).
source "$(dirname "$0")/toolchain.sh"
cd "$THREADHANDS_ROOT"
exec node "$@"
