// The AWS SDK for JavaScript v3 at its default settings against a real Nimbus server: since 3.729 it sends a CRC32
// checksum with every upload (a header for a buffered body, a trailer under STREAMING-UNSIGNED-PAYLOAD-TRAILER for a
// stream) and validates the checksums of what it downloads. Run by ../js-sdk.sh, which starts the server and passes
// S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and WORK (a scratch directory) in the environment.
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { randomBytes, createHash } from "node:crypto";
import { join } from "node:path";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  CopyObjectCommand, DeleteObjectsCommand, NoSuchKey,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const endpoint = need("S3_ENDPOINT");
const work = need("WORK");
need("AWS_ACCESS_KEY_ID");
need("AWS_SECRET_ACCESS_KEY");

let checks = 0;
function need(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this through tests/compat/js-sdk.sh`);
  }
  return value;
}
function ok(what) {
  checks++;
  console.log(`ok - ${what}`);
}
function fail(what) {
  throw new Error(what);
}
function equal(expected, actual, what) {
  if (expected !== actual) {
    fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  ok(what);
}
function sameBytes(expected, actual, what) {
  if (!Buffer.isBuffer(actual) || Buffer.compare(expected, actual) !== 0) {
    fail(`${what}: ${actual?.length} bytes differ from the ${expected.length} uploaded`);
  }
  ok(what);
}
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// Only the endpoint, region and path style are set; checksums, chunking and retries stay at the SDK's defaults.
// The endpoint is an IP address, where virtual-host names cannot resolve.
const s3 = new S3Client({ endpoint, region: "local", forcePathStyle: true });

// Records the payload mode and checksum headers of every request as signed and sent.
const sent = [];
s3.middlewareStack.add((next) => async (args) => {
  const h = args.request.headers ?? {};
  sent.push({
    method: args.request.method,
    path: args.request.path,
    payload: h["x-amz-content-sha256"],
    trailer: h["x-amz-trailer"],
    checksumHeaders: Object.keys(h).filter((k) => k.startsWith("x-amz-checksum-")),
  });
  return next(args);
}, { step: "finalizeRequest", priority: "low", name: "nimbusRecordRequests" });
const lastSent = (method) => sent.filter((r) => r.method === method).at(-1);

async function body(response) {
  return Buffer.from(await response.Body.transformToByteArray());
}

const bucket = "compat-js-sdk";
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
ok("CreateBucket");

// A small object from a buffer: its CRC32 goes in a header.
const small = randomBytes(1000);
const smallPut = await s3.send(new PutObjectCommand({
  Bucket: bucket, Key: "dir/small ünï+%.bin", Body: small, ContentType: "application/x-test", Metadata: { origin: "js-sdk" },
}));
if (!smallPut.ChecksumCRC32) {
  fail(`PutObject of a buffer answered no x-amz-checksum-crc32 (sent ${JSON.stringify(lastSent("PUT"))})`);
}
equal(`"${createHash("md5").update(small).digest("hex")}"`, smallPut.ETag, "PutObject (1000 bytes): ETag is the MD5");

// 10 MiB from a file stream: the SDK sends it aws-chunked with the CRC32 as a trailer, and no Content-MD5.
const large = randomBytes(10 * 1024 * 1024);
const largePath = join(work, "large.bin");
await writeFile(largePath, large);
const largePut = await s3.send(new PutObjectCommand({
  Bucket: bucket, Key: "dir/large.bin", Body: createReadStream(largePath), ContentLength: large.length,
}));
const streamed = lastSent("PUT");
equal("STREAMING-UNSIGNED-PAYLOAD-TRAILER", streamed.payload, "PutObject of a stream is sent as STREAMING-UNSIGNED-PAYLOAD-TRAILER");
equal("x-amz-checksum-crc32", streamed.trailer, "its CRC32 comes as a trailer");
if (!largePut.ChecksumCRC32) {
  fail("PutObject (10 MiB, trailer) answered no x-amz-checksum-crc32");
}
ok("PutObject (10 MiB, streamed with a trailing CRC32)");

for (const [key, bytes, put] of [["dir/small ünï+%.bin", small, smallPut], ["dir/large.bin", large, largePut]]) {
  // ChecksumMode ENABLED: the server returns the stored CRC32 and the SDK validates the bytes against it.
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
  sameBytes(bytes, await body(got), `GetObject ${key} returns every byte`);
  equal(put.ChecksumCRC32, got.ChecksumCRC32, `GetObject ${key} with ChecksumMode ENABLED returns the stored CRC32`);
}

const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dir/small ünï+%.bin" }));
equal(1000, head.ContentLength, "HeadObject: ContentLength");
equal("application/x-test", head.ContentType, "HeadObject: ContentType");
equal("js-sdk", head.Metadata?.origin, "HeadObject: user metadata");
equal(smallPut.ETag, head.ETag, "HeadObject: ETag");

try {
  await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/missing" }));
  fail("GetObject of a missing key succeeded");
} catch (e) {
  if (!(e instanceof NoSuchKey) || e.$metadata?.httpStatusCode !== 404) {
    throw e;
  }
  ok("GetObject of a missing key throws NoSuchKey (404)");
}

await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "top.txt", Body: "top" }));
const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
equal(JSON.stringify(["dir/"]), JSON.stringify((listed.CommonPrefixes ?? []).map((p) => p.Prefix)), "ListObjectsV2 with Delimiter rolls up dir/");
equal(JSON.stringify(["top.txt"]), JSON.stringify((listed.Contents ?? []).map((o) => o.Key)), "ListObjectsV2 with Delimiter lists top.txt");
const inDir = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "dir/" }));
equal(JSON.stringify(["dir/large.bin", "dir/small ünï+%.bin"]), JSON.stringify(inDir.Contents.map((o) => o.Key)), "ListObjectsV2 with Prefix lists keys in byte order");

await s3.send(new CopyObjectCommand({
  Bucket: bucket, Key: "copies/small.bin", CopySource: `${bucket}/${encodeURIComponent("dir/small ünï+%.bin")}`,
}));
const copied = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "copies/small.bin" }));
sameBytes(small, await body(copied), "CopyObject (key with space, unicode, + and %)");
equal("js-sdk", copied.Metadata?.origin, "CopyObject copies user metadata");

// lib-storage's Upload: a 13 MiB stream in 5 MiB parts, uploaded concurrently, each part with its CRC32.
const multi = randomBytes(13 * 1024 * 1024 + 321);
const multiPath = join(work, "multi.bin");
await writeFile(multiPath, multi);
const upload = new Upload({
  client: s3, params: { Bucket: bucket, Key: "multi/part ed.bin", Body: createReadStream(multiPath) },
  partSize: 5 * 1024 * 1024, queueSize: 3,
});
const uploaded = await upload.done();
if (!/^"[0-9a-f]{32}-3"$/.test(uploaded.ETag ?? "")) {
  fail(`Upload of 13 MiB in 5 MiB parts: ETag ${uploaded.ETag} is not md5-of-md5s-3`);
}
ok("lib-storage Upload (13 MiB in three parts)");
const multiGot = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "multi/part ed.bin", ChecksumMode: "ENABLED" }));
sameBytes(multi, await body(multiGot), "GetObject of the multipart object returns every byte");
equal(multi.length, multiGot.ContentLength, "its ContentLength");

// Presigned GET, fetched without the SDK.
const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "dir/large.bin" }), { expiresIn: 300 });
const fetched = await fetch(url);
equal(200, fetched.status, "presigned GET answers 200 to fetch");
const fetchedBytes = Buffer.from(await fetched.arrayBuffer());
equal(sha256(large), sha256(fetchedBytes), "presigned GET returns every byte");
const tampered = await fetch(url.replace("large.bin", "small.bin"));
equal(403, tampered.status, "a presigned URL for another key is refused (403)");

// DeleteObjects: the SDK sends a CRC32 of the XML body, no Content-MD5.
const deleted = await s3.send(new DeleteObjectsCommand({
  Bucket: bucket,
  Delete: { Objects: ["dir/small ünï+%.bin", "dir/large.bin", "copies/small.bin", "multi/part ed.bin", "top.txt"].map((Key) => ({ Key })) },
}));
equal(5, deleted.Deleted?.length ?? 0, "DeleteObjects deletes five keys");
equal(0, deleted.Errors?.length ?? 0, "DeleteObjects reports no errors");
const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
equal(0, left.KeyCount, "the bucket is empty afterwards");

console.log(`# js-sdk program: ${checks} checks passed`);
