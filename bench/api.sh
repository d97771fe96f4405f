#!/usr/bin/env bash
# Side-by-side API benchmark: Nimbus (authenticated GET of one resource, authenticated list of 50,
# creates) against a plain Kestrel hello-world built with the same SDK, in one run, with wrk on
# loopback. Prints requests/s, p50/p99 latency and the ratio to the ceiling.
# usage: bench/api.sh [DURATION_SECONDS=30] [CONNECTIONS=32]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-30}"
WARMUP="${WARMUP:-5}"
CONNECTIONS="${2:-32}"
THREADS=2
API_PORT="${API_PORT:-17070}"
HELLO_PORT="${HELLO_PORT:-17071}"
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/nimbus-bench.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "== building (Release)" >&2
dotnet build "$ROOT/src/Nimbus.Server/Nimbus.Server.csproj" -c Release -nologo -v quiet >/dev/null
dotnet build "$ROOT/bench/HelloWorld/HelloWorld.csproj" -c Release -nologo -v quiet >/dev/null
dotnet build "$ROOT/bench/Nimbus.Bench/Nimbus.Bench.csproj" -c Release -nologo -v quiet >/dev/null
BIN="$ROOT/artifacts/bin"
tool() { dotnet "$BIN/Nimbus.Bench/release/Nimbus.Bench.dll" "$@"; }

wait_http() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: $1 did not come up" >&2; exit 1; }

echo "== starting hello-world on :$HELLO_PORT and Nimbus on :$API_PORT" >&2
ASPNETCORE_URLS="http://127.0.0.1:$HELLO_PORT" dotnet "$BIN/HelloWorld/release/HelloWorld.dll" >/dev/null 2>&1 &
PIDS+=($!)
# The benchmark measures the API, not the rate limiter: lift the per-key limit.
dotnet "$BIN/Nimbus.Server/release/nimbus-server.dll" --data-dir "$WORK/data" --api-port "$API_PORT" --s3-port 0 \
  --rate-limit 10000000 --rate-limit-burst 10000000 --log-level Warning >"$WORK/server.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$HELLO_PORT/"
wait_http "http://127.0.0.1:$API_PORT/readyz"
CREDS="$WORK/data/bootstrap-credentials.json"
ENDPOINT="http://127.0.0.1:$API_PORT"

tool raise-quota "$ENDPOINT" "$CREDS" 100000000
echo "== seeding 50 widgets" >&2
FIRST_ID="$(tool seed "$ENDPOINT" "$CREDS" 50)"
tool wrk-get "$ENDPOINT" "$CREDS" "/v1/demo/widgets/$FIRST_ID" "$WORK/get.txt"
tool wrk-get "$ENDPOINT" "$CREDS" "/v1/demo/widgets?tag=bench%3Dlist&pageSize=50" "$WORK/list.txt"
# Enough distinct creates for the whole run at up to 10,000/s.
tool wrk-create "$ENDPOINT" "$CREDS" $(( (DURATION + WARMUP) * 10000 )) "$WORK/create.txt"

# run NAME URL [FILE]: warms up (JIT tiering, pools) for WARMUP seconds unmeasured, then measures;
# prints "NAME rps p50 p99 non2xx"
run() {
  local name="$1" url="$2" file="${3:-}"
  local out="$WORK/$name.out"
  DURATION="$WARMUP" measure "$url" "$file" >/dev/null
  DURATION="$DURATION" measure "$url" "$file" >"$out"
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  p50=$(awk '$1=="50%" {print $2}' "$out")
  p99=$(awk '$1=="99%" {print $2}' "$out")
  bad=$(awk '/Non-2xx/ {print $5}' "$out"); bad=${bad:-0}
  echo "$name $rps $p50 $p99 $bad"
}

measure() {
  local url="$1" file="${2:-}"
  if [[ -n "$file" && $(wc -l <"$file") -eq 1 ]]; then
    NIMBUS_BENCH_REQUEST="$file" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency -s "$ROOT/bench/replay.lua" "$url"
  elif [[ -n "$file" ]]; then
    # Creates: a fresh slice of distinct requests for each call (names must not repeat).
    local slice="$WORK/slice-$RANDOM.txt"
    head -n "$(( DURATION * 10000 ))" "$file" >"$slice"
    sed -i "1,$(( DURATION * 10000 ))d" "$file"
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency -s "$ROOT/bench/replay.lua" "$url" -- "$slice" "$THREADS"
  else
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$url"
  fi
}

echo "== running: $WARMUP s warm-up + $DURATION s measured each, $CONNECTIONS connections, $THREADS wrk threads" >&2
RESULTS=()
RESULTS+=("$(run hello-world "http://127.0.0.1:$HELLO_PORT/")")
RESULTS+=("$(run get "$ENDPOINT" "$WORK/get.txt")")
RESULTS+=("$(run list-50 "$ENDPOINT" "$WORK/list.txt")")
RESULTS+=("$(run create "$ENDPOINT" "$WORK/create.txt")")

CEILING=$(echo "${RESULTS[0]}" | awk '{print $2}')
printf "\n%-12s %12s %10s %10s %8s %10s\n" "scenario" "requests/s" "p50" "p99" "non-2xx" "vs ceiling"
for r in "${RESULTS[@]}"; do
  read -r name rps p50 p99 bad <<<"$r"
  ratio=$(awk -v a="$rps" -v b="$CEILING" 'BEGIN {printf "%.1f%%", 100*a/b}')
  printf "%-12s %12s %10s %10s %8s %10s\n" "$name" "$rps" "$p50" "$p99" "$bad" "$ratio"
done
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), $(dotnet --version) SDK"
