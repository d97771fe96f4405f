#!/usr/bin/env bash
# The disk's own ceilings for the S3 benchmark, measured in one run on the directory objects live in:
# raw sequential write throughput with dd conv=fsync (the PUT ceiling for large objects), and the durable
# small-write rate (write 4 KiB, fsync, rename, fsync the directory) at concurrency 1 and 32 (the PUT
# ceiling for small objects). Not part of ./test.sh.
# usage: bench/storage/disk.sh [dir=/tmp] [seconds=10]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$(mkdir -p "${1:-/tmp}" && cd "${1:-/tmp}" && pwd)"
SECONDS_PER_RUN="${2:-10}"
WORK="$(mktemp -d "$DIR/nimbus-disk.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== dd conv=fsync, 1 MiB blocks, 1 GiB" >&2
dd if=/dev/zero of="$WORK/dd-1m" bs=1M count=1024 conv=fsync 2>&1 | tail -1
rm -f "$WORK/dd-1m"
echo "== dd conv=fsync, 64 MiB file (one 64 MiB object)" >&2
dd if=/dev/zero of="$WORK/dd-64m" bs=1M count=64 conv=fsync 2>&1 | tail -1
rm -f "$WORK/dd-64m"

echo "== durable 4 KiB writes (write, fsync, rename, fsync dir)" >&2
dotnet build "$ROOT/bench/storage/DurableWrites/DurableWrites.csproj" -c Release -nologo -v quiet >/dev/null
dotnet "$ROOT/artifacts/bin/DurableWrites/release/DurableWrites.dll" "$WORK" "$SECONDS_PER_RUN" 4096 1,32
