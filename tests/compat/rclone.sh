#!/usr/bin/env bash
# rclone's S3 backend (provider Other, path style) against a real Nimbus server: copy, sync, check with checksums
# (MD5 from the ETag, or from rclone's own metadata on multipart objects) and with --download, and copy back.
SCRIPT_NAME=rclone
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require rclone rclone
start_server

export RCLONE_CONFIG="$WORK/rclone.conf"
: > "$RCLONE_CONFIG"
export RCLONE_CONFIG_NIMBUS_TYPE=s3 RCLONE_CONFIG_NIMBUS_PROVIDER=Other RCLONE_CONFIG_NIMBUS_ENV_AUTH=false
export RCLONE_CONFIG_NIMBUS_ACCESS_KEY_ID="$ACCESS_KEY" RCLONE_CONFIG_NIMBUS_SECRET_ACCESS_KEY="$SECRET_KEY"
export RCLONE_CONFIG_NIMBUS_ENDPOINT="$S3_ENDPOINT" RCLONE_CONFIG_NIMBUS_REGION=local RCLONE_CONFIG_NIMBUS_FORCE_PATH_STYLE=true
# Small cut-off and chunks so that the 9 MiB file of the tree goes up as a multipart upload.
rc() { rclone --s3-upload-cutoff 5M --s3-chunk-size 5M --retries 1 --low-level-retries 1 "$@"; }

B=compat-rclone
F="$WORK/files"
make_tree "$F/tree"

rc mkdir "nimbus:$B"
pass "mkdir (create bucket)"

rc copy "$F/tree" "nimbus:$B/tree"
rc check "$F/tree" "nimbus:$B/tree" 2> "$WORK/check.log" || fail "rclone check after copy: $(cat "$WORK/check.log")"
grep -q ' 0 differences found' "$WORK/check.log" || fail "rclone check did not compare: $(cat "$WORK/check.log")"
grep -q 'hashes could not be checked' "$WORK/check.log" && fail "rclone check skipped hashes: $(cat "$WORK/check.log")"
pass "copy, then check with MD5 hashes"
rc check --download "$F/tree" "nimbus:$B/tree" 2> "$WORK/check.log" || fail "rclone check --download: $(cat "$WORK/check.log")"
pass "check --download (bytes compared)"

# sync: a new file, a changed file, a removed file.
random_file "$F/tree/new.bin" 5000
random_file "$F/tree/a.txt" 123
rm "$F/tree/empty.dat"
rc sync "$F/tree" "nimbus:$B/tree"
rc check "$F/tree" "nimbus:$B/tree" 2> "$WORK/check.log" || fail "rclone check after sync: $(cat "$WORK/check.log")"
remote="$(rc lsf -R --files-only "nimbus:$B/tree" | sort | tr '\n' ' ')"
equals "a.txt big/video.bin new.bin sub dir/b+c.bin sub dir/deeper/ünïcødé 100%.bin " "$remote" "sync adds, updates and deletes"

rc copy "nimbus:$B/tree" "$WORK/back"
same_tree "$F/tree" "$WORK/back" "copy back down"

rc purge "nimbus:$B"
if rc lsd "nimbus:$B" > /dev/null 2>&1; then fail "the bucket still exists after purge"; fi
pass "purge"

finish
