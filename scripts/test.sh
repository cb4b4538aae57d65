#!/usr/bin/env bash
# `npm test`: set up what is missing, make sure a Redis answers, then run the whole suite.
source "$(dirname "$0")/toolchain.sh"
source "$THREADHANDS_ROOT/scripts/redis.sh"
cd "$THREADHANDS_ROOT"
exec npx vitest run "$@"
