# Sourced: makes sure a Redis answers at REDIS_URL (default 127.0.0.1:6379). When none does,
# starts Debian's redis-server there (installing it if needed) with noeviction, as the app requires.
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
redis_hostport="${REDIS_URL#redis://}"; redis_hostport="${redis_hostport##*@}"; redis_hostport="${redis_hostport%%/*}"
REDIS_HOST="${redis_hostport%%:*}"; REDIS_PORT="${redis_hostport##*:}"
[ "$REDIS_PORT" = "$REDIS_HOST" ] && REDIS_PORT=6379

redis_answers() { node -e '
  const s = require("node:net").connect(+process.argv[2], process.argv[1]);
  s.setTimeout(500, () => process.exit(1)); s.on("error", () => process.exit(1));
  s.on("connect", () => s.write("PING\r\n")); s.on("data", (d) => process.exit(String(d).startsWith("+PONG") ? 0 : 1));
' "$REDIS_HOST" "$REDIS_PORT"; }

if ! redis_answers; then
  command -v redis-server >/dev/null || apt_install redis-server
  echo "threadhands: starting redis-server on $REDIS_HOST:$REDIS_PORT" >&2
  redis_dir="${TMPDIR:-/tmp}/threadhands-redis-$REDIS_PORT"; mkdir -p "$redis_dir"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --dir "$redis_dir" \
    --appendonly yes --maxmemory-policy noeviction --save "" --logfile "$redis_dir/redis.log"
  for _ in $(seq 1 50); do redis_answers && break; sleep 0.1; done
  redis_answers || { echo "threadhands: redis-server did not start" >&2; exit 1; }
fi
