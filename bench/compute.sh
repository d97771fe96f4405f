#!/usr/bin/env bash
# The compute benchmark of issue 5, in one run on this machine:
#   - the ceiling: raw `runc run -d` of the same busybox rootfs (an overlay mount on the image, as Nimbus makes), until
#     the workload's first output, 1 at a time and 50 at once;
#   - Nimbus: API call (POST /v1/compute/instances) until phase running and the workload's first console output, 1
#     and 50 concurrent creates (each its own API call, the client waiting with the API's long poll); terminate latency;
#   - memory per idle instance at 200 busybox instances: Nimbus's RSS growth, the console loggers, the instances'
#     own cgroups and the host's MemAvailable drop, each divided by 200.
# The workload is `sh -c 'echo ready; exec sleep 100000'` in both. Needs root, runc and the .NET SDK; not part of
# ./test.sh. A bench instance type (b1.nano: 1 vCPU, 64 MiB) and a CPU overcommit of 128 let 200 instances fit on
# 2 cores; compute quotas are raised through the admin API.
# usage: bench/compute.sh [ROUNDS_OF_ONE=20] [IDLE_INSTANCES=200] [ROUNDS_OF_50=5]   (IDLE_INSTANCES=0 skips the memory cell)
# The 50-at-once cells run ROUNDS_OF_50 rounds each (raw runc, then Nimbus; a burst of other load on the machine
# lands in a round or two) and report each round's p50 and CPU per start and their medians: compare those.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-20}"
IDLE="${2:-200}"
ROUNDS50="${3:-5}"
API_PORT="${API_PORT:-17370}"
S3_PORT="${S3_PORT:-17371}"
[[ $EUID -eq 0 ]] || { echo "compute.sh: instances need root" >&2; exit 1; }
command -v runc >/dev/null || { echo "compute.sh: runc is needed (apt-get install runc)" >&2; exit 1; }
# The bench's server has a network of its own (bridge nbcomp0, tables nimbus_nbcomp0*, its own range), as
# bench/network.sh does, so it runs beside a Nimbus installation and removes only its own names when it ends.
BRIDGE=nbcomp0
CIDR=10.254.0.0/22
if [[ -e "/sys/class/net/$BRIDGE" ]] || nft list table inet "nimbus_${BRIDGE}" >/dev/null 2>&1; then
  echo "compute.sh: bridge $BRIDGE or table nimbus_$BRIDGE exists: another compute.sh is running (or one was killed; delete them)" >&2; exit 1
fi
WORK="$(mktemp -d /tmp/nimbus-compute-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  for c in $(runc --root "$WORK/runc-raw" list -q 2>/dev/null); do runc --root "$WORK/runc-raw" delete --force "$c" || true; done
  grep -o "$WORK[^ ]*/rootfs" /proc/self/mountinfo | xargs -r -n1 umount 2>/dev/null || true
  for table in "inet nimbus_$BRIDGE" "bridge nimbus_$BRIDGE" "inet nimbus_${BRIDGE}_filter" "inet nimbus_${BRIDGE}_edge"; do nft delete table $table 2>/dev/null || true; done
  # A VPC's bridge stays while its VPC exists: this run's are its own bridge and those whose alias names its table.
  for dev in /sys/class/net/*; do
    if [[ -d "$dev/bridge" && ( "${dev##*/}" == "$BRIDGE" || "$(cat "$dev/ifalias" 2>/dev/null)" == "nimbus:nimbus_$BRIDGE" ) ]]; then
      ip link del "${dev##*/}" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), $(runc --version | head -1); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for project in src/Nimbus.Server bench/compute/ComputeLoad; do
  dotnet build "$ROOT/$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
BIN="$ROOT/artifacts/bin"
load() { dotnet "$BIN/ComputeLoad/release/ComputeLoad.dll" "$@"; }

mkdir -p "$WORK/data/compute" "$WORK/raw"
cp "$ROOT/bench/compute/instance-types.json" "$WORK/data/compute/instance-types.json"
dotnet "$BIN/Nimbus.Server/release/nimbus-server.dll" --data-dir "$WORK/data" --api-port "$API_PORT" --s3-port "$S3_PORT" \
  --network-bridge "$BRIDGE" --network-cidr "$CIDR" \
  --rate-limit 10000000 --rate-limit-burst 10000000 --cpu-overcommit-ratio 128 --log-level Warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
ENDPOINT="http://127.0.0.1:$API_PORT"
CREDS="$WORK/data/bootstrap-credentials.json"
for _ in $(seq 1 1200); do [[ -f "$CREDS" ]] && curl -fs "$ENDPOINT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
[[ -f "$CREDS" ]] || { echo "compute.sh: Nimbus did not come up in 2 minutes; see $WORK/server.log" >&2; cat "$WORK/server.log" >&2; exit 1; }
load setup "$ENDPOINT" "$CREDS"
for _ in $(seq 1 600); do compgen -G "$WORK/data/compute/images/img-*/rootfs" >/dev/null && break; sleep 0.1; done
LOWER="$(compgen -G "$WORK/data/compute/images/img-*/rootfs" | head -1)"
[[ -n "$LOWER" ]] || { echo "compute.sh: the busybox image was not built; see $WORK/server.log" >&2; exit 1; }
sleep 1

# The raw bundle: runc's own default spec, with the same workload, no terminal, a writable root.
(cd "$WORK/raw" && runc spec)
sed -i -e 's|"terminal": true|"terminal": false|' -e 's|^\(\s*\)"sh"$|\1"sh", "-c", "echo ready; exec sleep 100000"|' \
  -e 's|"path": "rootfs"|"path": "ROOTFS"|' -e 's|"readonly": true|"readonly": false|' "$WORK/raw/config.json"
mv "$WORK/raw/config.json" "$WORK/raw/config.template.json"

echo "# latency in ms: name p50 p99 max wall(avg per round)"
load raw "$WORK/runc-raw" "$LOWER" "$WORK/raw" 1 "$ROUNDS"
# Warm-up, not counted: the server's JIT compiles its hot paths again, optimised, once they are hot (tiered
# compilation: the second round of 50 after start-up still compiled 3,300 methods); the ceiling is native code.
load create "$ENDPOINT" "$CREDS" 50 1 >/dev/null
load create "$ENDPOINT" "$CREDS" 1 "$ROUNDS" "$SERVER_PID"
load raw "$WORK/runc-raw" "$LOWER" "$WORK/raw" 50 "$ROUNDS50"
load create "$ENDPOINT" "$CREDS" 50 "$ROUNDS50" "$SERVER_PID"
if [[ "$IDLE" -gt 0 ]]; then
  echo "# memory at $IDLE idle instances (MiB per instance)"
  load idle "$ENDPOINT" "$CREDS" "$IDLE" "$SERVER_PID"
fi
