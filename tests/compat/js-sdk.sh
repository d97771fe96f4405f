#!/usr/bin/env bash
# The AWS SDK for JavaScript v3 (npm's @aws-sdk/client-s3, lib-storage, s3-request-presigner; exact versions in
# js/package-lock.json) at its default settings against a real Nimbus server: CRC32 checksums on every upload, streams
# sent as STREAMING-UNSIGNED-PAYLOAD-TRAILER, multipart through lib-storage, a presigned GET fetched by Node's fetch.
# Also runs the example of docs/storage.md's "AWS SDK for JavaScript v3" section as written there.
SCRIPT_NAME=js-sdk
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JS_DIR="$COMPAT_DIR/js"
require node nodejs
require npm npm
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 18 )) || fail "node $(node --version) is too old: the pinned SDK needs Node 18 or later (apt-get install nodejs)"

# The packages of js/package-lock.json, installed into js/node_modules (git-ignored) by `npm ci` whenever the lock
# file changed since the last install. A failed install is a failure, never a skip.
lock_sum="$(sha256sum "$JS_DIR/package-lock.json" | cut -d' ' -f1)"
stamp="$JS_DIR/node_modules/.nimbus-lock-sha256"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]]; then
  echo "# npm ci in $JS_DIR"
  (cd "$JS_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2 \
    || fail "npm ci in $JS_DIR failed: the npm registry must be reachable the first time (the packages then stay in js/node_modules)"
  echo "$lock_sum" > "$stamp"
fi
for pkg in @aws-sdk/client-s3 @aws-sdk/lib-storage @aws-sdk/s3-request-presigner; do
  [[ -f "$JS_DIR/node_modules/$pkg/package.json" ]] || fail "$pkg is missing from $JS_DIR/node_modules: delete $stamp and run again"
done
pass "node $(node --version), @aws-sdk/client-s3 $(node -p "require('$JS_DIR/node_modules/@aws-sdk/client-s3/package.json').version")"

start_server
export S3_ENDPOINT WORK AWS_ACCESS_KEY_ID="$ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$SECRET_KEY"
# The SDK must not read a profile or config file of the machine.
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials" AWS_EC2_METADATA_DISABLED=true
: > "$AWS_CONFIG_FILE"
: > "$AWS_SHARED_CREDENTIALS_FILE"

node "$JS_DIR/sdk.mjs" || fail "sdk.mjs failed (its output is above)"
pass "sdk.mjs: every operation through the JavaScript SDK"

# docs/storage.md's example, run as a user would copy it: the only change is the endpoint's port. It sits beside a
# link to the installed packages so that its imports resolve.
docs="$ROOT/docs/storage.md"
awk '/^\*\*AWS SDK for JavaScript v3\*\*/ { section = 1 } section && /^```js$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' "$docs" > "$WORK/example.mjs"
[[ -s "$WORK/example.mjs" ]] || fail "docs/storage.md has no \`\`\`js block under **AWS SDK for JavaScript v3**"
grep -q 'http://127.0.0.1:9000' "$WORK/example.mjs" || fail "the docs example does not use the endpoint http://127.0.0.1:9000"
sed -i "s|http://127.0.0.1:9000|$S3_ENDPOINT|" "$WORK/example.mjs"
ln -s "$JS_DIR/node_modules" "$WORK/node_modules"
output="$(cd "$WORK" && node example.mjs)" || fail "the docs example failed: $output"
crc="$(python3 -c 'import base64, zlib; print(base64.b64encode(zlib.crc32(b"meow").to_bytes(4, "big")).decode())')"
equals "meow $crc" "$output" "docs/storage.md's JavaScript example prints the object and its CRC32"

finish
