#!/usr/bin/env bash
# Installs what the tests need (Debian packages, as root), builds, and runs every test.
# Exits non-zero on any failure. Prints "N passed, N failed" as its last line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the test suite drives for real: PostgreSQL for the shared store; the S3 clients of
# tests/compat (run by tests/Nimbus.Cli.Tests' CompatScriptTests, so they count in the totals below);
# runc and busybox-static for compute instances; gcc and libc6-dev compile the instances' init
# (src/Nimbus.Agent/Init/nimbus-init.c) at build time; skopeo and umoci make the OCI images the import tests
# read, debootstrap builds the debian-12 image; iproute2 and nftables give instances their network (bridge, veths,
# network namespaces, NAT and anti-spoofing tables); libcap2-bin (setcap, getcap) makes and checks the file
# capabilities of the extended-attribute import test, zstd compresses (tests) and decompresses (the node) zstd layers.
PACKAGES=(postgresql awscli s3cmd rclone curl python3 runc busybox-static gcc libc6-dev skopeo umoci debootstrap iproute2 nftables libcap2-bin zstd)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node and npm run the JavaScript SDK's compat script (tests/compat/js-sdk.sh; Debian 12's Node 18 is enough for its
# pinned SDK). Looked up by command, not by package: a machine with another vendor's nodejs (which bundles npm and
# conflicts with Debian's npm package) already has both.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if (( ${#missing[@]} )); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Do not start the distribution's own clusters/services: tests start throwaway ones.
  [[ -e /usr/sbin/policy-rc.d ]] || { printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

dotnet build Nimbus.slnx -c Debug -nologo -v quiet -clp:ErrorsOnly

mkdir -p artifacts
log=artifacts/test-output.log
set +e
dotnet test Nimbus.slnx -c Debug --no-build -nologo -v quiet --logger "console;verbosity=normal" 2>&1 | tee "$log" | { grep -E "^\s*(Failed |Total tests|Error Message|\[xUnit.net.*(FAIL|Error))|^\s+(Passed|Failed|Skipped): " || true; }
status=${PIPESTATUS[0]}
set -e

# Per-project summaries ("Total tests: N", "Passed: N", "Failed: N", "Skipped: N"), summed.
count() { awk -v key="$1" '$1 == key":" { s += $2 } END { print s + 0 }' "$log"; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
projects=$(awk '$1 == "Total" && $2 == "tests:" { n++ } END { print n + 0 }' "$log")
if (( projects == 0 )); then
  echo "test.sh: no test project reported results; see $log" >&2
  failed=$(( failed + 1 ))
fi
if (( status != 0 && failed == 0 )); then
  echo "test.sh: dotnet test exited $status; see $log" >&2
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
(( status == 0 && failed == 0 ))
