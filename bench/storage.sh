#!/usr/bin/env bash
# The object storage benchmark of issue 4, side by side in one run on one disk:
#   - Nimbus S3 (Release build, fsync before every acknowledgement) and nginx (GET, WebDAV PUT; no fsync),
#     GET and PUT of 4 KiB, 1 MiB and 64 MiB objects at concurrency 1 and 32, driven by the same client
#     (bench/storage/S3Load; Nimbus requests are SigV4-presigned, so each one is signature-checked);
#   - the Kestrel floors in every cell (bench/storage/KestrelFloor: plain Kestrel with nimbus-server's transport
#     settings and none of its work): kestrel-memory (GET answers an array in memory, PUT drops the body) and
#     kestrel-files (GET preads the file, PUT writes a file without fsync, as nginx does);
#   - the disk's and the CPU's floors: dd conv=fsync of 64 MiB and 1 GiB, and beside each PUT cell the same
#     operation with nothing but the disk (bench/storage/DurableWrites): write 4 KiB, fsync, rename, fsync the
#     directory (the durable small-write ceiling), or write 1 MiB / 64 MiB, fdatasync, fsync the directory; and the
#     MD5 of one body of the cell's size on one core;
#   - the ratios the issue sets targets for, Nimbus / kestrel-files and kestrel-files / nginx, the server CPU per
#     operation of each server, and per large PUT cell the best ratio a conforming server could reach here.
# Everything it starts (servers, nginx, the load client) is stopped and its directory removed when it ends, also on
# Ctrl-C or SIGTERM. Not part of ./test.sh. Needs the .NET SDK; installs nginx when missing (as root).
# usage: bench/storage.sh [dir=/tmp] [seconds-per-run=5]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$(mkdir -p "${1:-/tmp}" && cd "${1:-/tmp}" && pwd)"
RUN_SECONDS="${2:-5}"
WORK="$(mktemp -d "$BASE/nimbus-storage-bench.XXXXXX")"
SERVER_PID=""
KESTREL_PID=""
CHILD_PID=""
stop() { [[ -n "$1" ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; return 0; }
cleanup() {
  # Without errexit: a stopped child's status (143 after SIGTERM) must not end the cleanup half-way.
  set +e
  stop "$CHILD_PID"
  stop "$SERVER_PID"
  stop "$KESTREL_PID"
  local nginx_master=""
  [[ -f "$WORK/nginx/.nginx/nginx.pid" ]] && nginx_master="$(cat "$WORK/nginx/.nginx/nginx.pid")"
  "$ROOT/bench/storage/nginx.sh" stop "$WORK/nginx" >/dev/null 2>&1 || true
  if [[ -n "$nginx_master" ]]; then
    # Until the master has exited, at most 5 s (tail returns when the process ends).
    timeout 5 tail --pid="$nginx_master" -f /dev/null 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Long-running steps run as a background child that the script waits for: an interrupt then reaches the traps at
# once (not after the step) and the cleanup stops the child. Output in $WORK/out.
run() { "$@" > "$WORK/out" & CHILD_PID=$!; wait "$CHILD_PID"; CHILD_PID=""; }
if ! command -v nginx >/dev/null; then
  [[ $(id -u) -eq 0 ]] || { echo "storage.sh: nginx is needed (run as root, or apt-get install nginx)" >&2; exit 1; }
  echo "== installing nginx" >&2
  # Debian's own nginx service must not start and hold port 80: the benchmark starts its own.
  [[ -e /usr/sbin/policy-rc.d ]] || { printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# disk: $(df -h "$BASE" | awk 'NR==2 {print $1" ("$2", "$5" used)"}') at $BASE; $RUN_SECONDS s per run"

for project in src/Nimbus.Server bench/storage/S3Load bench/storage/DurableWrites bench/storage/KestrelFloor; do
  dotnet build "$ROOT/$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
LOAD="$ROOT/artifacts/bin/S3Load/release/S3Load.dll"
DURABLE="$ROOT/artifacts/bin/DurableWrites/release/DurableWrites.dll"

echo "== disk"
# 64 MiB is one large object; 1 GiB is long enough that the virtual disk's write cache cannot flatter it,
# and is the ceiling the ratios use.
dd_line="$(dd if=/dev/zero of="$WORK/dd-64m" bs=1M count=64 conv=fsync 2>&1 | tail -1)"
rm -f "$WORK/dd-64m"
echo "dd conv=fsync 64 MiB: $dd_line"
dd_line="$(dd if=/dev/zero of="$WORK/dd-1g" bs=1M count=1024 conv=fsync 2>&1 | tail -1)"
rm -f "$WORK/dd-1g"
echo "dd conv=fsync 1 GiB: $dd_line"
dd_mbs="$(sed -n 's/.*, \([0-9.]*\) MB\/s$/\1/p; s/.*, \([0-9.]*\) GB\/s$/\1e3/p' <<< "$dd_line")"
# Free ports: other benchmarks may run on this machine.
NGINX_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$ROOT/bench/storage/nginx.sh" start "$WORK/nginx" "$NGINX_PORT" >/dev/null
NGINX="http://127.0.0.1:$NGINX_PORT/"
mkdir -p "$WORK/nginx/files/bench"

# Waits for a started server's line in its log (the server's process must stay alive meanwhile).
await_line() {
  local pid="$1" log="$2" pattern="$3" name="$4" deadline=$((SECONDS + 120))
  until grep -qs "$pattern" "$log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "storage.sh: $name exited" >&2; exit 1; }
    (( SECONDS < deadline )) || { echo "storage.sh: $name did not start" >&2; exit 1; }
    sleep 0.2
  done
}

dotnet "$ROOT/artifacts/bin/KestrelFloor/release/KestrelFloor.dll" "$WORK/kestrel" > "$WORK/kestrel.log" 2>&1 &
KESTREL_PID=$!
await_line "$KESTREL_PID" "$WORK/kestrel.log" '^listening on ' KestrelFloor
KESTREL="$(sed -n 's/^listening on //p' "$WORK/kestrel.log")"

dotnet "$ROOT/artifacts/bin/Nimbus.Server/release/nimbus-server.dll" --data-dir "$WORK/nimbus" --api-port 0 --s3-port 0 \
  --log-level Warning --rate-limit 1000000 --rate-limit-burst 1000000 > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
await_line "$SERVER_PID" "$WORK/server.log" '^Press Ctrl-C to stop.' nimbus-server
S3="$(sed -n 's/^  S3 endpoint: *\(http:[^ ]*\).*/\1/p' "$WORK/server.log")"
KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessKeyId"])' "$WORK/nimbus/bootstrap-credentials.json")"
SECRET="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secretAccessKey"])' "$WORK/nimbus/bootstrap-credentials.json")"
echo "# nimbus-server pid $SERVER_PID at $S3, KestrelFloor pid $KESTREL_PID at $KESTREL, nginx at $NGINX"

declare -A RESULT CPU FLOOR MD5
field() { sed -n "s|.* $1=\([0-9.]*\).*|\1|p" <<< "$2"; }
# CPU time (utime + stime) of the server processes per operation, measured by S3Load over the measured operations
# only (not its warm-up, which for a GET cell PUTs every object first): on a shared, noisy machine the server CPU per
# operation says more than the throughput, which other engineers' builds move by several times.
nginx_pids() { local master; master="$(cat "$WORK/nginx/.nginx/nginx.pid")"; echo "$master" $(pgrep -P "$master"); }
# One cell against one target: "target op size concurrency"; the result line goes to RESULT and CPU.
cell() {
  local target="$1" op="$2" size="$3" concurrency="$4" line
  case "$target" in
    nginx) S3LOAD_SERVER_PIDS="$(nginx_pids)" run dotnet "$LOAD" nginx "$NGINX" "$op" "$size" "$concurrency" "$RUN_SECONDS" ;;
    kestrel-memory) S3LOAD_SERVER_PIDS="$KESTREL_PID" run dotnet "$LOAD" kestrel-memory "${KESTREL}memory/" "$op" "$size" "$concurrency" "$RUN_SECONDS" ;;
    kestrel-files) S3LOAD_SERVER_PIDS="$KESTREL_PID" run dotnet "$LOAD" kestrel-files "${KESTREL}files/" "$op" "$size" "$concurrency" "$RUN_SECONDS" ;;
    nimbus) S3LOAD_SERVER_PIDS="$SERVER_PID" run dotnet "$LOAD" nimbus "$S3" "$KEY" "$SECRET" "$op" "$size" "$concurrency" "$RUN_SECONDS" ;;
  esac
  line="$(< "$WORK/out")"
  echo "$line"
  RESULT["$target $op $size $concurrency"]="$line"
  CPU["$target $op $size $concurrency"]="$(field server-cpu-ms/op "$line")"
}
# Warm-up, not counted: the servers' JIT compiles their hot paths again, optimised, once they are hot (tiered
# compilation); a freshly started server's first cells would measure the compiler (a warmed 4 KiB GET costs about
# half the CPU of the first seconds'). nginx is native code and needs none.
for warm in "put 4096 32" "get 4096 32" "get 4096 1" "put 1048576 8" "get 1048576 8" "put 67108864 32"; do
  # shellcheck disable=SC2086
  run dotnet "$LOAD" nimbus "$S3" "$KEY" "$SECRET" $warm 3
  for variant in memory files; do
    # shellcheck disable=SC2086
    run dotnet "$LOAD" "kestrel-$variant" "${KESTREL}$variant/" $warm 3
  done
done
# The 64 MiB round at c=32 above also lets every target's first large writes meet memory this virtual machine has
# used before: guest pages touched for the first time cost the host a fault, which a profile put at a third of a
# fresh server's first 64 MiB PUT cell. nginx gets the same round.
# shellcheck disable=SC2086
run dotnet "$LOAD" nginx "$NGINX" put 67108864 32 3
sync
echo "== runs (nginx, kestrel-memory, kestrel-files, then Nimbus, for each cell)"
for size in 4096 1048576 67108864; do
  for op in put get; do
    for concurrency in 1 32; do
      for target in nginx kestrel-memory kestrel-files nimbus; do
        # Every target starts its cell with no dirty pages of the one before: nginx and kestrel-files leave up to
        # gigabytes unsynced after a large PUT cell, and the kernel's writeback of them would otherwise run on the
        # next target's time (Nimbus, whose fsyncs wait behind it, measured 351 MB/s for 64 MiB at c=32 right after
        # them and 681 MB/s on a settled disk).
        sync
        cell "$target" "$op" "$size" "$concurrency"
      done
      # The PUT cell's floors, right beside it (a ceiling measured minutes away meets another disk on this machine):
      # the durable write of the cell's size and concurrency, and for large objects the MD5 of one body.
      if [[ $op == put ]]; then
        if (( size == 4096 )); then mode=rename; else mode=fdatasync; fi
        sync
        run dotnet "$DURABLE" "$WORK" "$RUN_SECONDS" "$size" "$concurrency" "$mode"
        FLOOR["$size $concurrency"]="$(< "$WORK/out")"
        echo "${FLOOR["$size $concurrency"]}"
        if (( size > 4096 )); then
          run dotnet "$DURABLE" --md5 "$size" 1
          MD5["$size $concurrency"]="$(< "$WORK/out")"
          echo "${MD5["$size $concurrency"]}"
        fi
      fi
    done
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "== summary (ops/s for 4 KiB, MB/s otherwise; target in brackets; cpu = server CPU ms per operation)"
printf '%-4s %-8s %-3s %9s %9s %9s %9s %14s %9s %9s   %s\n' op size c nginx k-memory k-files nimbus "nimbus/nginx" "nim/kfile" "kfile/ngx" "cpu nginx : k-memory : k-files : nimbus"
for size in 4096 1048576 67108864; do
  for op in put get; do
    for concurrency in 1 32; do
      if (( size == 4096 )); then unit="ops/s"; else unit="MB/s"; fi
      declare -A V=()
      for target in nginx kestrel-memory kestrel-files nimbus; do
        V[$target]="$(field "$unit" "${RESULT["$target $op $size $concurrency"]}")"
      done
      target=""
      if [[ $op == get ]]; then target="$( ((size == 4096)) && echo "[.8]" || echo "[.9]")"; else target="$( ((size == 4096)) && echo "" || echo "[.8]")"; fi
      cpu="${CPU["nginx $op $size $concurrency"]} : ${CPU["kestrel-memory $op $size $concurrency"]} : ${CPU["kestrel-files $op $size $concurrency"]} : ${CPU["nimbus $op $size $concurrency"]}"
      printf '%-4s %-8s %-3s %9s %9s %9s %9s %14s %9s %9s   %s\n' "$op" "$size" "$concurrency" \
        "${V[nginx]}" "${V[kestrel-memory]}" "${V[kestrel-files]}" "${V[nimbus]}" \
        "$(ratio "${V[nimbus]}" "${V[nginx]}") $target" "$(ratio "${V[nimbus]}" "${V[kestrel-files]}")" "$(ratio "${V[kestrel-files]}" "${V[nginx]}")" "$cpu"
    done
  done
done

echo "== PUT floors, each measured beside its cell (nginx does not fsync; a conforming PUT fsyncs and hashes)"
echo "# 4 KiB: Nimbus against the durable small-write ceiling (write, fsync, rename, fsync dir) [target 0.8]."
for concurrency in 1 32; do
  d="$(field ops/s "${FLOOR["4096 $concurrency"]}")"
  s="$(field ops/s "${RESULT["nimbus put 4096 $concurrency"]}")"
  echo "put 4096 c=$concurrency: durable-write $d ops/s, nimbus $s ops/s, nimbus/ceiling $(ratio "$s" "$d")"
done
echo "# 1 MiB and 64 MiB: best possible ratio = min(durable write MB/s, k x MD5 MB/s) / nginx MB/s, with the fastest"
echo "# MD5 of the cell's body on one core (OpenSSL); k = 1 at c=1 (one upload's MD5 is one serial chain: nginx's time /"
echo "# max(MD5 time, durable time)) and k = $(nproc) (cores) at c=32, where uploads can hash side by side."
echo "# No server that fsyncs and hashes every PUT can beat it; floor = the smaller of the two terms."
for size in 1048576 67108864; do
  for concurrency in 1 32; do
    d="$(field MB/s "${FLOOR["$size $concurrency"]}")"
    mms="$(field min-ms "${MD5["$size $concurrency"]}")"
    m="$(awk -v s="$size" -v t="$mms" 'BEGIN { printf "%.0f", (t > 0 ? s / t / 1e3 : 0) }')"
    n="$(field MB/s "${RESULT["nginx put $size $concurrency"]}")"
    s="$(field MB/s "${RESULT["nimbus put $size $concurrency"]}")"
    k=1; (( concurrency > 1 )) && k="$(nproc)"
    floor="$(awk -v d="$d" -v m="$m" -v k="$k" 'BEGIN { printf "%.1f", (d < k * m ? d : k * m) }')"
    echo "put $size c=$concurrency: nginx $n MB/s; durable write $d MB/s; md5 $mms ms per body ($m MB/s) x $k;" \
      "best possible ratio $(ratio "$floor" "$n"); nimbus $s MB/s, ratio $(ratio "$s" "$n"), nimbus/floor $(ratio "$s" "$floor"); nimbus/dd $(ratio "$s" "$dd_mbs")"
  done
done
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
