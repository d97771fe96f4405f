#!/usr/bin/env bash
# Side-by-side network benchmark, in one run, on this machine only (addresses of namespaces it makes itself):
#  1. iperf3 throughput instance<->instance and host->instance through Nimbus's data path (bridge, veth, anti-spoofing,
#     security groups with conntrack) against a bare veth pair with no rules;
#  2. TCP connection rate between two instances with security groups, without the filter table, and on a bare veth;
#  3. time to apply one rule change with 500 interfaces and 2,000 rules: nft -f of the delta Nimbus applies for it (and,
#     for comparison, of the whole ruleset, as Nimbus applies at start-up), plus the node's own work to make the delta.
# Needs root, runc, nftables, iproute2, busybox-static; installs iperf3 when missing.
# usage: bench/network.sh [SECONDS=10]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-10}"
API_PORT="${API_PORT:-17290}"
S3_PORT="${S3_PORT:-17291}"
BRIDGE=nbench0
CIDR=10.252.0.0/24
[[ $(id -u) -eq 0 ]] || { echo "bench: run as root (instances, namespaces, nftables)" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "== installing iperf3" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null; }

WORK="$(mktemp -d /tmp/nimbus-netbench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n "${SERVER_PID:-}" ]]; then
    for id in ${IDS:-}; do nimbus compute instance terminate "$id" --wait >/dev/null 2>&1 || true; done
    kill "$SERVER_PID" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  for ns in nbb-a nbb-b nbb-h nbt; do ip netns del "$ns" 2>/dev/null || true; done
  ip link del nbb-h0 2>/dev/null || true
  nft delete table inet "nimbus_${BRIDGE}" 2>/dev/null || true
  nft delete table bridge "nimbus_${BRIDGE}" 2>/dev/null || true
  nft delete table inet "nimbus_${BRIDGE}_filter" 2>/dev/null || true
  nft delete table inet "nimbus_${BRIDGE}_edge" 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  # A VPC's bridge stays while its VPC exists: this run's are the bridges whose alias names its table.
  for dev in /sys/class/net/*; do
    if [[ -d "$dev/bridge" && "$(cat "$dev/ifalias" 2>/dev/null)" == "nimbus:nimbus_${BRIDGE}" ]]; then
      ip link del "${dev##*/}" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building (Release)" >&2
for p in src/Nimbus.Server src/Nimbus.Cli bench/Nimbus.Bench.Network; do dotnet build "$ROOT/$p" -c Release -nologo -v quiet >/dev/null; done
BIN="$ROOT/artifacts/bin"
nimbus() { dotnet "$BIN/Nimbus.Cli/release/nimbus.dll" "$@"; }

echo "== starting Nimbus (bridge $BRIDGE, $CIDR)" >&2
dotnet "$BIN/Nimbus.Server/release/nimbus-server.dll" --data-dir "$WORK/data" --api-port "$API_PORT" --s3-port "$S3_PORT" \
  --network-bridge "$BRIDGE" --network-cidr "$CIDR" --log-level Warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 600); do curl -fs "http://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1
  [[ $i -eq 600 ]] || kill -0 "$SERVER_PID" 2>/dev/null || i=600
  [[ $i -lt 600 ]] || { echo "bench: Nimbus did not come up:" >&2; cat "$WORK/server.log" >&2; exit 1; }; done
export NIMBUS_ENDPOINT="http://127.0.0.1:$API_PORT" NIMBUS_CONFIG_DIR="$WORK/cli"
NIMBUS_ACCESS_KEY_ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessKeyId"])' "$WORK/data/bootstrap-credentials.json")"
NIMBUS_SECRET_ACCESS_KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secretAccessKey"])' "$WORK/data/bootstrap-credentials.json")"
export NIMBUS_ACCESS_KEY_ID NIMBUS_SECRET_ACCESS_KEY

# Two instances in the default group (members talk); the host is let in on the two ports the bench uses, and a
# realistic group size: 20 more rules the packets walk past.
nimbus network security-group authorize-ingress default --protocol tcp --port 5201 --cidr 0.0.0.0/0 >/dev/null
nimbus network security-group authorize-ingress default --protocol tcp --port 7000 --cidr 0.0.0.0/0 >/dev/null
for port in $(seq 9001 9020); do nimbus network security-group authorize-ingress default --protocol tcp --port "$port" --cidr 192.168.0.0/16 >/dev/null; done
for _ in $(seq 1 600); do nimbus compute image get busybox 2>/dev/null | grep -q available && break; sleep 0.2; done
IDS=""
for n in a b; do
  id="$(nimbus compute instance run --image busybox --type n1.large --name "bench-$n" --wait --output json | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d[0] if isinstance(d,list) else d)["id"])')"
  IDS="$IDS $id"
done
set -- $IDS
A="$1"; B="$2"
ipof() { nimbus compute instance get "$1" --output json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["networkInterface"]["privateIpAddress"])'; }
IP_B="$(ipof "$B")"
NS_A="$BRIDGE-$A"; NS_B="$BRIDGE-$B"

echo "== bare veth pairs: namespace to namespace, host to namespace" >&2
ip netns add nbb-a; ip netns add nbb-b
ip link add nbb-a0 netns nbb-a type veth peer name nbb-b0 netns nbb-b
ip -n nbb-a addr add 10.253.0.1/30 dev nbb-a0; ip -n nbb-b addr add 10.253.0.2/30 dev nbb-b0
ip -n nbb-a link set nbb-a0 up; ip -n nbb-b link set nbb-b0 up; ip -n nbb-a link set lo up; ip -n nbb-b link set lo up
ip link add nbb-h0 type veth peer name nbb-h1 netns nbb-b
ip addr add 10.253.1.1/30 dev nbb-h0; ip link set nbb-h0 up
ip -n nbb-b addr add 10.253.1.2/30 dev nbb-h1; ip -n nbb-b link set nbb-h1 up

listening() { # listening NS PORT: waits (up to 30 s) until a server listens on PORT in NS; a loaded machine starts it late
  for _ in $(seq 1 300); do ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0; sleep 0.1; done
  echo "bench: nothing listens on port $2 in $1" >&2; return 1
}
ksoftirqd_ticks() { # user + system clock ticks of every ksoftirqd thread
  local total=0 pid; for pid in $(pgrep -x 'ksoftirqd/[0-9]+'); do total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") )); done; echo "$total"
}
iperf() { # iperf SERVER_NS CLIENT_NS(or -) ADDRESS -> "Gbit/s received" "CPU ms per GB"
  local server_ns="$1" client_ns="$2" address="$3"
  ip netns exec "$server_ns" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
  local pid=$!; listening "$server_ns" 5201
  local json ksoft0; ksoft0="$(ksoftirqd_ticks)"
  if [[ "$client_ns" == "-" ]]; then json="$(iperf3 -c "$address" -p 5201 -t "$SECONDS_EACH" -J)"; else json="$(ip netns exec "$client_ns" iperf3 -c "$address" -p 5201 -t "$SECONDS_EACH" -J)"; fi
  local ksoft1; ksoft1="$(ksoftirqd_ticks)"
  wait "$pid" || true
  # "Gbit/s CPU-ms-per-GB": the CPU time of both iperf3 processes (their rusage includes the softirq work done in
  # their context, which is most of the data path) plus the ksoftirqd threads' during the run, per GB received. On a
  # shared machine the throughput follows the load; the CPU per GB much less.
  python3 -c 'import json,sys
e=json.loads(sys.argv[1])["end"]; received=e["sum_received"]; cpu=e["cpu_utilization_percent"]
seconds=received["seconds"]; gb=received["bytes"]/1e9
busy=(cpu["host_total"]+cpu["remote_total"])/100*seconds+(int(sys.argv[2])-int(sys.argv[3]))/int(sys.argv[4])
print("%.2f %.0f" % (received["bits_per_second"]/1e9, busy*1000/gb))' "$json" "$ksoft1" "$ksoft0" "$(getconf CLK_TCK)"
}
connrate() { # connrate SERVER_NS CLIENT_NS ADDRESS -> connections/s
  ip netns exec "$1" python3 "$ROOT/bench/connrate.py" server 7000 &
  local pid=$!; listening "$1" 7000
  local rate; rate="$(ip netns exec "$2" python3 "$ROOT/bench/connrate.py" client "$3" 7000 "$SECONDS_EACH" 2)"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  echo "$rate"
}

echo "== iperf3, $SECONDS_EACH s each" >&2
read -r T_II U_II <<<"$(iperf "$NS_B" "$NS_A" "$IP_B")"
read -r T_VV U_VV <<<"$(iperf nbb-b nbb-a 10.253.0.2)"
read -r T_HI U_HI <<<"$(iperf "$NS_B" - "$IP_B")"
read -r T_HV U_HV <<<"$(iperf nbb-b - 10.253.1.2)"

echo "== TCP connection rate, $SECONDS_EACH s each, 2 client processes" >&2
C_SG="$(connrate "$NS_B" "$NS_A" "$IP_B")"
nft delete table inet "nimbus_${BRIDGE}_filter"
C_NOSG="$(connrate "$NS_B" "$NS_A" "$IP_B")"
# Any security group change rebuilds the table from the store.
nimbus network security-group authorize-ingress default --protocol tcp --port 9999 --cidr 192.168.0.0/16 >/dev/null
nft list table inet "nimbus_${BRIDGE}_filter" >/dev/null
C_VV="$(connrate nbb-b nbb-a 10.253.0.2)"

echo "== rule change at 500 interfaces and 2,000 rules (nft -f in a private namespace)" >&2
ip netns add nbt
apply_ms() { local s e; s=$(date +%s%N); ip netns exec nbt nft -f "$1"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
RULE_RESULTS=()
FULL_RESULTS=()
NODE_RESULTS=()
for shape in 1 2; do
  node_ms="$(dotnet "$BIN/Nimbus.Bench.Network/release/Nimbus.Bench.Network.dll" "$WORK/rules$shape" 500 100 20 "$shape" 2>&1 >/dev/null | sed -n 's/^node work per change ([^)]*): \([0-9.]*\) ms.*/\1/p')"
  NODE_RESULTS+=("$node_ms")
  apply_ms "$WORK/rules$shape/before.nft" >/dev/null
  # The delta and its undo, in turns: each applies to the state the other left.
  ms="$(for _ in 1 2 3 4 5; do apply_ms "$WORK/rules$shape/delta.nft"; apply_ms "$WORK/rules$shape/undo.nft" >/dev/null; done | median)"
  RULE_RESULTS+=("$ms")
  ms="$(for _ in 1 2 3 4 5; do apply_ms "$WORK/rules$shape/after.nft"; apply_ms "$WORK/rules$shape/before.nft" >/dev/null; done | median)"
  FULL_RESULTS+=("$ms")
done

ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
meets() { python3 -c "import sys; print('met' if float(sys.argv[1]) >= float(sys.argv[2]) else 'NOT met')" "$1" "$2"; }
echo
echo "| measurement | Nimbus | baseline | ratio | target |"
echo "|---|---|---|---|---|"
echo "| iperf3 instance -> instance (Gbit/s) | $T_II | $T_VV (bare veth ns -> ns) | $(ratio "$T_II" "$T_VV") | >= 0.9: $(meets "$(ratio "$T_II" "$T_VV")" 0.9) |"
echo "| iperf3 host -> instance (Gbit/s) | $T_HI | $T_HV (bare veth host -> ns) | $(ratio "$T_HI" "$T_HV") | >= 0.9: $(meets "$(ratio "$T_HI" "$T_HV")" 0.9) |"
echo "| CPU ms per GB, instance -> instance (bare / Nimbus) | $U_II | $U_VV (bare veth ns -> ns) | $(ratio "$U_VV" "$U_II") | |"
echo "| CPU ms per GB, host -> instance (bare / Nimbus) | $U_HI | $U_HV (bare veth host -> ns) | $(ratio "$U_HV" "$U_HI") | |"
echo "| TCP connections/s, instance -> instance | $C_SG (security groups) | $C_NOSG (filter table removed) | $(ratio "$C_SG" "$C_NOSG") | >= 0.8: $(meets "$(ratio "$C_SG" "$C_NOSG")" 0.8) |"
echo "| TCP connections/s, instance -> instance | $C_SG (security groups) | $C_VV (bare veth, no conntrack) | $(ratio "$C_SG" "$C_VV") | >= 0.8: $(meets "$(ratio "$C_SG" "$C_VV")" 0.8) |"
for i in 0 1; do
  total="$(python3 -c "import sys; print('%.0f' % (float(sys.argv[1]) + float(sys.argv[2])))" "${RULE_RESULTS[$i]}" "${NODE_RESULTS[$i]}")"
  echo "| rule change, 500 interfaces, 2,000 rules, $((i + 1)) group(s) each (ms, median of 5): delta nft -f + node work | ${RULE_RESULTS[$i]} + ${NODE_RESULTS[$i]} = $total | ${FULL_RESULTS[$i]} (whole ruleset, nft -f only) | | < 100: $( [[ $total -lt 100 ]] && echo met || echo 'NOT met') |"
done
