#!/usr/bin/env bash
# The object storage benchmark of issue 4, side by side in one run on one disk:
#   - Nimbus S3 (Release build, fsync before every acknowledgement) and nginx (GET, WebDAV PUT; no fsync),
#     GET and PUT of 4 KiB, 1 MiB and 64 MiB objects at concurrency 1 and 32, driven by the same client
#     (bench/storage/S3Load; Nimbus requests are SigV4-presigned, so each one is signature-checked);
#   - the disk's ceilings: dd conv=fsync of 64 MiB and 1 GiB, and the durable small-write rate (write 4 KiB, fsync,
#     rename, fsync the directory) at concurrency 1 and 32 (bench/storage/DurableWrites);
#   - the ratios the issue sets targets for.
# Not part of ./test.sh. Needs nginx (apt-get install nginx) and the .NET SDK.
# usage: bench/storage.sh [dir=/tmp] [seconds-per-run=5]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$(mkdir -p "${1:-/tmp}" && cd "${1:-/tmp}" && pwd)"
RUN_SECONDS="${2:-5}"
WORK="$(mktemp -d "$BASE/nimbus-storage-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  "$ROOT/bench/storage/nginx.sh" stop "$WORK/nginx" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
command -v nginx >/dev/null || { echo "storage.sh: nginx is needed (apt-get install nginx)" >&2; exit 1; }

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# disk: $(df -h "$BASE" | awk 'NR==2 {print $1" ("$2", "$5" used)"}') at $BASE; $RUN_SECONDS s per run"

for project in src/Nimbus.Server bench/storage/S3Load bench/storage/DurableWrites; do
  dotnet build "$ROOT/$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
LOAD="$ROOT/artifacts/bin/S3Load/release/S3Load.dll"

echo "== disk ceilings"
# 64 MiB is one large object; 1 GiB is long enough that the virtual disk's write cache cannot flatter it,
# and is the ceiling the ratios use.
dd_line="$(dd if=/dev/zero of="$WORK/dd-64m" bs=1M count=64 conv=fsync 2>&1 | tail -1)"
rm -f "$WORK/dd-64m"
echo "dd conv=fsync 64 MiB: $dd_line"
dd_line="$(dd if=/dev/zero of="$WORK/dd-1g" bs=1M count=1024 conv=fsync 2>&1 | tail -1)"
rm -f "$WORK/dd-1g"
echo "dd conv=fsync 1 GiB: $dd_line"
dd_mbs="$(sed -n 's/.*, \([0-9.]*\) MB\/s$/\1/p; s/.*, \([0-9.]*\) GB\/s$/\1e3/p' <<< "$dd_line")"
durable="$(dotnet "$ROOT/artifacts/bin/DurableWrites/release/DurableWrites.dll" "$WORK" "$RUN_SECONDS" 4096 1,32)"
echo "$durable"

# A free port: other benchmarks may run on this machine.
NGINX_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$ROOT/bench/storage/nginx.sh" start "$WORK/nginx" "$NGINX_PORT" >/dev/null
NGINX="http://127.0.0.1:$NGINX_PORT/"
mkdir -p "$WORK/nginx/files/bench"

dotnet "$ROOT/artifacts/bin/Nimbus.Server/release/nimbus-server.dll" --data-dir "$WORK/nimbus" --api-port 0 --s3-port 0 \
  --log-level Warning --rate-limit 1000000 --rate-limit-burst 1000000 > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + 120))
until grep -q '^Press Ctrl-C to stop.' "$WORK/server.log"; do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  (( SECONDS < deadline )) || { echo "storage.sh: the server did not start" >&2; exit 1; }
  sleep 0.2
done
S3="$(sed -n 's/^  S3 endpoint: *\(http:[^ ]*\).*/\1/p' "$WORK/server.log")"
KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessKeyId"])' "$WORK/nimbus/bootstrap-credentials.json")"
SECRET="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secretAccessKey"])' "$WORK/nimbus/bootstrap-credentials.json")"
echo "# nimbus-server pid $SERVER_PID at $S3, nginx at $NGINX"

declare -A RESULT CPU
field() { sed -n "s|.* $1=\([0-9.]*\).*|\1|p" <<< "$2"; }
# CPU time (utime + stime) of the server processes per operation, measured by S3Load over the measured operations
# only (not its warm-up, which for a GET cell PUTs every object first): on a shared, noisy machine the server CPU per
# operation says more than the throughput, which other engineers' builds move by several times.
nginx_pids() { local master; master="$(cat "$WORK/nginx/.nginx/nginx.pid")"; echo "$master" $(pgrep -P "$master"); }
# Warm-up, not counted: the server's JIT compiles its hot paths again, optimised, once they are hot (tiered
# compilation); a freshly started server's first cells would measure the compiler (a warmed 4 KiB GET costs about
# half the CPU of the first seconds'). nginx is native code and needs none.
for warm in "put 4096 32" "get 4096 32" "get 4096 1" "put 1048576 8" "get 1048576 8"; do
  # shellcheck disable=SC2086
  dotnet "$LOAD" nimbus "$S3" "$KEY" "$SECRET" $warm 3 >/dev/null
done
echo "== runs (nginx, then Nimbus, for each cell)"
for size in 4096 1048576 67108864; do
  for op in put get; do
    for concurrency in 1 32; do
      nginx_line="$(S3LOAD_SERVER_PIDS="$(nginx_pids)" dotnet "$LOAD" nginx "$NGINX" "$op" "$size" "$concurrency" "$RUN_SECONDS")"
      CPU["nginx $op $size $concurrency"]="$(field server-cpu-ms/op "$nginx_line")"
      echo "$nginx_line"
      nimbus_line="$(S3LOAD_SERVER_PIDS="$SERVER_PID" dotnet "$LOAD" nimbus "$S3" "$KEY" "$SECRET" "$op" "$size" "$concurrency" "$RUN_SECONDS")"
      CPU["nimbus $op $size $concurrency"]="$(field server-cpu-ms/op "$nimbus_line")"
      echo "$nimbus_line"
      RESULT["nginx $op $size $concurrency"]="$nginx_line"
      RESULT["nimbus $op $size $concurrency"]="$nimbus_line"
    done
  done
done

echo "== summary (ops/s and MB/s; ratio = Nimbus / reference; target in brackets)"
printf '%-4s %-8s %-3s %14s %14s %16s %22s %s\n' op size c "nginx" "nimbus" "ratio" "cpu ms/op ngx:nimbus" "ceiling"
for size in 4096 1048576 67108864; do
  for op in put get; do
    for concurrency in 1 32; do
      n="${RESULT["nginx $op $size $concurrency"]}"
      s="${RESULT["nimbus $op $size $concurrency"]}"
      if (( size == 4096 )); then unit="ops/s"; else unit="MB/s"; fi
      nv="$(field "$unit" "$n")"; sv="$(field "$unit" "$s")"
      ratio="$(awk -v a="$sv" -v b="$nv" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
      target=""
      if [[ $op == get ]]; then target="$( ((size == 4096)) && echo "[>=0.8]" || echo "[>=0.9]")"; else target="$( ((size == 4096)) && echo "" || echo "[>=0.8]")"; fi
      ceiling=""
      if [[ $op == put && $size == 4096 ]]; then
        d="$(grep "concurrency=$concurrency " <<< "$durable" | sed -n 's/.*ops\/s=\([0-9.]*\).*/\1/p')"
        ceiling="durable-write $d ops/s: nimbus/ceiling $(awk -v a="$sv" -v b="$d" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') [>=0.8]"
      elif [[ $op == put ]]; then
        ceiling="dd conv=fsync ${dd_mbs} MB/s: nimbus/dd $(awk -v a="$sv" -v b="$dd_mbs" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
      fi
      cpu="${CPU["nginx $op $size $concurrency"]}:${CPU["nimbus $op $size $concurrency"]}"
      printf '%-4s %-8s %-3s %14s %14s %16s %22s %s\n' "$op" "$size" "$concurrency" "$nv $unit" "$sv $unit" "$ratio $target" "$cpu" "$ceiling"
    done
  done
done
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
