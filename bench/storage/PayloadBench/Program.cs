using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Signing;

// Throughput of the S3 payload path on one core: each checksum over 1 MiB buffers, and decoding a 64 MiB
// aws-chunked body (unsigned with a CRC64NVME trailer; signed with one) at 64 KiB and 1 MiB chunks.
// usage: dotnet run -c Release --project bench/storage/PayloadBench [seconds-per-case=2]
double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2;
byte[] buffer = new byte[1 << 20];
Random.Shared.NextBytes(buffer);

foreach (ChecksumAlgorithm algorithm in ChecksumAlgorithms.All)
{
    using IncrementalChecksum checksum = IncrementalChecksum.Create(algorithm);
    Report(ChecksumAlgorithms.GetName(algorithm), buffer.Length, () => checksum.Append(buffer));
}

#pragma warning disable CA5351 // MD5 is S3's ETag, measured for comparison.
Report("MD5 (ETag)", buffer.Length, () => MD5.HashData(buffer));
#pragma warning restore CA5351

byte[] payload = new byte[64 << 20];
Random.Shared.NextBytes(payload);
SigV4ChunkSigningContext context = SigV4ChunkSigningContext.Create("secret", "20250101T000000Z", "local", "s3", new string('0', 64));
foreach (AwsChunkedMode mode in new[] { AwsChunkedMode.UnsignedPayloadTrailer, AwsChunkedMode.SignedPayloadTrailer })
{
    foreach (int chunkSize in new[] { 64 << 10, 1 << 20 })
    {
        var encoding = new AwsChunkedEncodingOptions
        {
            Mode = mode,
            ChunkSigning = AwsChunkedPayload.IsSigned(mode) ? context : null,
            ChunkSize = chunkSize,
            TrailerChecksum = ChecksumAlgorithm.Crc64Nvme,
        };
        var encoded = new MemoryStream();
        new AwsChunkedEncodingStream(new MemoryStream(payload), encoding).CopyTo(encoded);
        byte[] body = encoded.ToArray();
        byte[] readBuffer = new byte[128 << 10];
        Report($"decode {mode} {chunkSize >> 10} KiB chunks", payload.Length, () =>
        {
            var options = new AwsChunkedDecodingOptions
            {
                Mode = mode,
                DecodedContentLength = payload.Length,
                ChunkSigning = encoding.ChunkSigning,
                DeclaredTrailers = ["x-amz-checksum-crc64nvme"],
                Checksum = new RequestChecksum(ChecksumAlgorithm.Crc64Nvme, null, InTrailer: true),
            };
            using var decoder = new AwsChunkedDecodingStream(new MemoryStream(body), options);
            while (decoder.Read(readBuffer, 0, readBuffer.Length) > 0)
            {
            }
        });
    }
}

void Report(string name, long bytesPerCall, Action action)
{
    action();
    var stopwatch = Stopwatch.StartNew();
    long calls = 0;
    while (stopwatch.Elapsed.TotalSeconds < seconds)
    {
        action();
        calls++;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-48} {calls * bytesPerCall / stopwatch.Elapsed.TotalSeconds / 1e9,7:F2} GB/s"));
}
