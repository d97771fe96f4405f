#!/usr/bin/env bash
# awscli (Debian's 2.9: path style, --endpoint-url) against a real Nimbus server: high-level s3 commands, s3api calls
# including a hand-made multipart upload, and a presigned URL fetched by curl. Every download is compared byte for byte.
SCRIPT_NAME=awscli
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian's package, not a pip copy earlier in PATH: the issue names awscli 2.9 as the client to pass.
AWS_BIN="${AWS_BIN:-/usr/bin/aws}"
[[ -x "$AWS_BIN" ]] || fail "$AWS_BIN is not installed: apt-get install awscli (./test.sh installs it)"
require curl curl
start_server

export AWS_ACCESS_KEY_ID="$ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$SECRET_KEY" AWS_DEFAULT_REGION=local
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials" AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
printf '[default]\nregion = local\ns3 =\n  addressing_style = path\n' > "$AWS_CONFIG_FILE"
: > "$AWS_SHARED_CREDENTIALS_FILE"
aws() { "$AWS_BIN" --endpoint-url "$S3_ENDPOINT" "$@"; }

B=compat-awscli
F="$WORK/files"
random_file "$F/small.bin" 1024
random_file "$F/large.bin" $((20 * 1024 * 1024 + 5))
make_tree "$F/tree"

aws s3 mb "s3://$B" > /dev/null
pass "s3 mb"

aws s3 cp "$F/small.bin" "s3://$B/small.bin" > /dev/null
aws s3 cp "$F/large.bin" "s3://$B/dir/large.bin" > /dev/null
aws s3 cp "s3://$B/small.bin" "$WORK/down/small.bin" > /dev/null
same_bytes "$F/small.bin" "$WORK/down/small.bin" "s3 cp up and down (1 KiB)"
aws s3 cp "s3://$B/dir/large.bin" "$WORK/down/large.bin" > /dev/null
same_bytes "$F/large.bin" "$WORK/down/large.bin" "s3 cp up and down (20 MiB, multipart)"
etag="$(aws s3api head-object --bucket "$B" --key dir/large.bin --query ETag --output text)"
[[ "$etag" == *-3\" ]] || fail "a 20 MiB awscli upload should be 3 parts of 8 MiB, ETag was $etag"
pass "multipart ETag md5-of-md5s-3"

aws s3 sync "$F/tree" "s3://$B/tree" > /dev/null
aws s3 sync "s3://$B/tree" "$WORK/synced" > /dev/null
same_tree "$F/tree" "$WORK/synced" "s3 sync up and back"
again="$(aws s3 sync "$F/tree" "s3://$B/tree")"
equals "" "$again" "a second s3 sync uploads nothing"

listing="$(aws s3 ls "s3://$B/")"
grep -q ' PRE tree/$' <<< "$listing" || fail "s3 ls shows no PRE tree/: $listing"
grep -q ' 1024 small.bin$' <<< "$listing" || fail "s3 ls shows no small.bin: $listing"
pass "s3 ls rolls up prefixes"
count="$(aws s3 ls "s3://$B/tree/" --recursive | wc -l)"
equals 5 "$count" "s3 ls --recursive"

aws s3api put-object --bucket "$B" --key "api/ünï code+%.txt" --body "$F/small.bin" --content-type text/plain --metadata origin=compat > /dev/null
head="$(aws s3api head-object --bucket "$B" --key "api/ünï code+%.txt" --query '[ContentLength, ContentType, Metadata.origin]' --output text)"
equals $'1024\ttext/plain\tcompat' "$head" "s3api put-object / head-object keep length, type and metadata"
aws s3api get-object --bucket "$B" --key "api/ünï code+%.txt" "$WORK/down/api.bin" > /dev/null
same_bytes "$F/small.bin" "$WORK/down/api.bin" "s3api get-object"
keys="$(aws s3api list-objects-v2 --bucket "$B" --prefix api/ --query 'Contents[].Key' --output text)"
equals "api/ünï code+%.txt" "$keys" "s3api list-objects-v2 returns the unicode key exactly"
aws s3api copy-object --bucket "$B" --key api/copy.bin --copy-source "$B/small.bin" > /dev/null
aws s3api get-object --bucket "$B" --key api/copy.bin "$WORK/down/copy.bin" > /dev/null
same_bytes "$F/small.bin" "$WORK/down/copy.bin" "s3api copy-object"
deleted="$(aws s3api delete-objects --bucket "$B" --delete '{"Objects":[{"Key":"api/copy.bin"},{"Key":"api/ünï code+%.txt"}]}' --query 'length(Deleted)' --output text)"
equals 2 "$deleted" "s3api delete-objects"
if aws s3api head-object --bucket "$B" --key api/copy.bin > /dev/null 2>&1; then fail "api/copy.bin still exists after delete-objects"; fi
pass "deleted objects are gone"

# Multipart by hand: a 5 MiB part and a smaller last one.
head -c $((5 * 1024 * 1024)) "$F/large.bin" > "$WORK/part1"
head -c $((5 * 1024 * 1024 + 777)) "$F/large.bin" | tail -c 777 > "$WORK/part2"
cat "$WORK/part1" "$WORK/part2" > "$WORK/expected-mpu"
upload_id="$(aws s3api create-multipart-upload --bucket "$B" --key mpu/object --query UploadId --output text)"
e1="$(aws s3api upload-part --bucket "$B" --key mpu/object --upload-id "$upload_id" --part-number 1 --body "$WORK/part1" --query ETag --output text)"
e2="$(aws s3api upload-part --bucket "$B" --key mpu/object --upload-id "$upload_id" --part-number 2 --body "$WORK/part2" --query ETag --output text)"
printf '{"Parts":[{"PartNumber":1,"ETag":%s},{"PartNumber":2,"ETag":%s}]}' "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$e1")" "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$e2")" > "$WORK/parts.json"
aws s3api complete-multipart-upload --bucket "$B" --key mpu/object --upload-id "$upload_id" --multipart-upload "file://$WORK/parts.json" > /dev/null
aws s3api get-object --bucket "$B" --key mpu/object "$WORK/down/mpu" > /dev/null
same_bytes "$WORK/expected-mpu" "$WORK/down/mpu" "s3api create-multipart-upload / upload-part / complete-multipart-upload"

attrs="$(aws s3api get-object-attributes --bucket "$B" --key small.bin --object-attributes ObjectSize StorageClass --query '[ObjectSize, StorageClass]' --output text)"
equals $'1024\tSTANDARD' "$attrs" "s3api get-object-attributes"

# ACLs are disabled (bucket owner enforced): reading one shows the owner's FULL_CONTROL; asking for public-read is
# refused, not ignored, and uploads nothing.
grant="$(aws s3api get-object-acl --bucket "$B" --key small.bin --query 'Grants[0].[Permission, Grantee.Type]' --output text)"
equals $'FULL_CONTROL\tCanonicalUser' "$grant" "s3api get-object-acl"
if out="$(aws s3 cp "$F/small.bin" "s3://$B/public.bin" --acl public-read 2>&1)"; then fail "s3 cp --acl public-read succeeded"; fi
grep -q AccessControlListNotSupported <<< "$out" || fail "s3 cp --acl public-read failed otherwise: $out"
if aws s3api head-object --bucket "$B" --key public.bin > /dev/null 2>&1; then fail "public.bin exists after a refused upload"; fi
aws s3 cp "$F/small.bin" "s3://$B/private.bin" --acl private > /dev/null
aws s3 rm "s3://$B/private.bin" > /dev/null
pass "s3 cp --acl: public-read refused (AccessControlListNotSupported), private accepted"

url="$(aws s3 presign "s3://$B/small.bin" --expires-in 300)"
curl -sSf -o "$WORK/down/presigned.bin" "$url" || fail "curl of the presigned URL failed: $url"
same_bytes "$F/small.bin" "$WORK/down/presigned.bin" "s3 presign, then curl"

aws s3 rm "s3://$B/tree" --recursive > /dev/null
aws s3 rm "s3://$B/small.bin" > /dev/null
left="$(aws s3api list-objects-v2 --bucket "$B" --query 'length(Contents)' --output text)"
equals 2 "$left" "s3 rm (recursive and single)"
aws s3 rb "s3://$B" --force > /dev/null
if aws s3api head-bucket --bucket "$B" > /dev/null 2>&1; then fail "the bucket still exists after rb --force"; fi
pass "s3 rb --force"

finish
