# Shared by the compat scripts: starts a real Nimbus server on free ports with a throwaway data directory,
# exposes its S3 endpoint and admin key, and gives checks that stop the script on the first mismatch.
# Source it; do not run it.

set -Eeuo pipefail
# A command that fails under set -e says which one, instead of ending the script silently.
trap 'echo "FAIL [${SCRIPT_NAME:-compat}]: line $LINENO: $BASH_COMMAND exited $?" >&2' ERR

# The clients must see only what each script sets: no profile, key, endpoint or CA bundle of the machine
# (the Go SDK in rclone refuses an AWS_CA_BUNDLE with its custom transport).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(AWS_|RCLONE_)' || true)

COMPAT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$COMPAT_DIR/../.." && pwd)"
SERVER_DLL="${NIMBUS_SERVER_DLL:-$ROOT/artifacts/bin/Nimbus.Server/debug/nimbus-server.dll}"
DOTNET="${DOTNET_HOST_PATH:-dotnet}"
CHECKS=0
SERVER_PID=""
WORK=""

fail() {
  echo "FAIL [$SCRIPT_NAME]: $*" >&2
  if [[ -n "$WORK" && -f "$WORK/server.log" ]]; then
    echo "--- last lines of the server log" >&2
    tail -n 30 "$WORK/server.log" >&2
  fi
  exit 1
}

# require TOOL PACKAGE: the client must be installed; a missing one is a failure, never a skip.
require() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed: apt-get install $2 (./test.sh installs it)"
}

pass() {
  CHECKS=$((CHECKS + 1))
  echo "ok $CHECKS - $*"
}

# same_bytes EXPECTED ACTUAL WHAT
same_bytes() {
  [[ -f "$2" ]] || fail "$3: $2 was not written"
  cmp -s "$1" "$2" || fail "$3: $2 differs from $1 ($(stat -c %s "$1") vs $(stat -c %s "$2") bytes)"
  pass "$3"
}

# same_tree EXPECTED_DIR ACTUAL_DIR WHAT: the same files with the same bytes, nothing more, nothing less.
same_tree() {
  local expected actual
  expected="$(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)"
  actual="$(cd "$2" && find . -type f -print0 | sort -z | xargs -0 sha256sum)"
  [[ "$expected" == "$actual" ]] || fail "$3: trees differ
--- expected ($1)
$expected
--- actual ($2)
$actual"
  pass "$3"
}

# equals EXPECTED ACTUAL WHAT
equals() {
  [[ "$1" == "$2" ]] || fail "$3: expected '$1', got '$2'"
  pass "$3"
}

# random_file PATH BYTES
random_file() {
  mkdir -p "$(dirname "$1")"
  head -c "$2" /dev/urandom > "$1"
}

# A tree with the names real users have: spaces, unicode, plus and percent signs, nesting, an empty file.
make_tree() {
  random_file "$1/a.txt" 100
  random_file "$1/sub dir/b+c.bin" 70000
  random_file "$1/sub dir/deeper/ünïcødé 100%.bin" 3000
  random_file "$1/big/video.bin" $((9 * 1024 * 1024 + 17))
  : > "$1/empty.dat"
}

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

cleanup() {
  stop_server
  [[ -n "$WORK" ]] && rm -rf "$WORK"
}

# Starts the server; sets WORK, S3_ENDPOINT, S3_HOSTPORT, ACCESS_KEY, SECRET_KEY.
start_server() {
  [[ -f "$SERVER_DLL" ]] || fail "$SERVER_DLL not found: build first (dotnet build Nimbus.slnx), or set NIMBUS_SERVER_DLL"
  WORK="$(mktemp -d /tmp/nimbus-compat-"$SCRIPT_NAME".XXXXXX)"
  trap cleanup EXIT
  "$DOTNET" "$SERVER_DLL" --data-dir "$WORK/data" --api-port 0 --s3-port 0 --log-level Warning > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 90))
  until grep -q '^Press Ctrl-C to stop.' "$WORK/server.log"; do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited while starting"
    (( SECONDS < deadline )) || fail "the server did not start within 90 s"
    sleep 0.2
  done
  S3_ENDPOINT="$(sed -n 's/^  S3 endpoint: *\(http:[^ ]*\).*/\1/p' "$WORK/server.log")"
  [[ -n "$S3_ENDPOINT" ]] || fail "no 'S3 endpoint:' line in the server's banner"
  S3_HOSTPORT="${S3_ENDPOINT#http://}"
  ACCESS_KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessKeyId"])' "$WORK/data/bootstrap-credentials.json")"
  SECRET_KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secretAccessKey"])' "$WORK/data/bootstrap-credentials.json")"
  echo "# server at $S3_ENDPOINT (data in $WORK/data)"
}

finish() {
  echo "# $SCRIPT_NAME: all $CHECKS checks passed"
}
