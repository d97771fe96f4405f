#!/usr/bin/env bash
# s3cmd against a real Nimbus server (SigV4, path style): mb, put (single and multipart), get, sync both ways, ls, del, rb.
# Every download is compared byte for byte (s3cmd itself also checks the MD5 of what it gets against the ETag).
SCRIPT_NAME=s3cmd
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require s3cmd s3cmd
start_server

cat > "$WORK/s3cfg" <<CFG
[default]
access_key = $ACCESS_KEY
secret_key = $SECRET_KEY
host_base = $S3_HOSTPORT
host_bucket = $S3_HOSTPORT
bucket_location = local
use_https = False
signature_v2 = False
multipart_chunk_size_mb = 5
CFG
s3() { s3cmd -c "$WORK/s3cfg" --no-progress "$@"; }

B=compat-s3cmd
F="$WORK/files"
random_file "$F/small.bin" 1024
random_file "$F/large.bin" $((12 * 1024 * 1024 + 3))
make_tree "$F/tree"

s3 mb "s3://$B" > /dev/null
pass "mb"

s3 put "$F/small.bin" "s3://$B/small.bin" > /dev/null
s3 put "$F/large.bin" "s3://$B/dir/large.bin" > /dev/null
s3 get "s3://$B/small.bin" "$WORK/down/small.bin" > /dev/null
same_bytes "$F/small.bin" "$WORK/down/small.bin" "put and get (1 KiB)"
s3 get "s3://$B/dir/large.bin" "$WORK/down/large.bin" > /dev/null
same_bytes "$F/large.bin" "$WORK/down/large.bin" "put and get (12 MiB, multipart in 5 MiB parts)"

s3 sync "$F/tree/" "s3://$B/tree/" > /dev/null
mkdir -p "$WORK/synced"
s3 sync "s3://$B/tree/" "$WORK/synced/" > /dev/null
same_tree "$F/tree" "$WORK/synced" "sync up and back"

listing="$(s3 ls "s3://$B/")"
grep -q 'DIR .*s3://compat-s3cmd/tree/$' <<< "$listing" || fail "ls shows no DIR tree/: $listing"
grep -q ' 1024 .*s3://compat-s3cmd/small.bin$' <<< "$listing" || fail "ls shows no small.bin: $listing"
pass "ls rolls up prefixes"
count="$(s3 ls --recursive "s3://$B/tree/" | wc -l)"
equals 5 "$count" "ls --recursive"

info="$(s3 info "s3://$B/small.bin")"
grep -q 'File size: *1024' <<< "$info" || fail "info shows no size: $info"
grep -q 'ACL: *.*FULL_CONTROL' <<< "$info" || fail "info shows no owner FULL_CONTROL ACL: $info"
pass "info (object and its ACL)"
s3 del "s3://$B/small.bin" > /dev/null
if s3 info "s3://$B/small.bin" > /dev/null 2>&1; then fail "small.bin still exists after del"; fi
pass "del"
s3 del --recursive --force "s3://$B/tree/" > /dev/null
count="$(s3 ls --recursive "s3://$B/" | wc -l)"
equals 1 "$count" "del --recursive"
s3 del "s3://$B/dir/large.bin" > /dev/null
s3 rb "s3://$B" > /dev/null
if s3 ls "s3://$B" > /dev/null 2>&1; then fail "the bucket still exists after rb"; fi
pass "rb"

finish
