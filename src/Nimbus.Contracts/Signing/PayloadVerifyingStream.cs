using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Nimbus.Contracts.Checksums;
using Nimbus.Contracts.Errors;

namespace Nimbus.Contracts.Signing;

/// <summary>
/// A read-only pass-through stream that hashes what it hands out and, at the end of the payload, checks it
/// against what the request promised: its length, the hex <c>x-amz-content-sha256</c>
/// (<c>XAmzContentSHA256Mismatch</c>), <c>Content-MD5</c> and an <c>x-amz-checksum-*</c> value
/// (<c>BadDigest</c>), a length different from the declared one (<c>IncompleteBody</c>). It also computes the
/// MD5 for the ETag and the object's checksum, so the body is read once.
/// </summary>
/// <remarks>
/// As with <see cref="AwsChunkedDecodingStream"/>, the bytes are only known good once a read has returned 0
/// without throwing; every failure is an <see cref="S3PayloadException"/> and sticks.
/// </remarks>
public sealed class PayloadVerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly PayloadVerificationOptions _options;
    private readonly IncrementalHash? _sha256;
    private IncrementalHash? _md5;
    private bool _md5Taken;
    private readonly IncrementalChecksum? _checksum;
    private long _length;
    private bool _completed;
    private byte[]? _md5Digest;
    private string? _checksumValue;
    private ExceptionDispatchInfo? _failure;
    private bool _disposed;

    /// <summary>Creates a verifying stream over <paramref name="inner"/>.</summary>
    /// <param name="inner">The payload: the request body, or an <see cref="AwsChunkedDecodingStream"/>; required.</param>
    /// <param name="options">What to check and compute; required.</param>
    public PayloadVerifyingStream(Stream inner, PayloadVerificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ExpectedSha256 is { Length: not 32 } || options.ExpectedMd5 is { Length: not 16 })
        {
            throw new ArgumentException("An expected SHA-256 is 32 bytes and an MD5 16 bytes.", nameof(options));
        }

        _inner = inner;
        _options = options;
        _sha256 = options.ExpectedSha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // MD5 here is S3's ETag and Content-MD5 check, not a security measure.
#pragma warning disable CA5351
        _md5 = options.ExpectedMd5 is not null || options.ComputeMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
#pragma warning restore CA5351
        ChecksumAlgorithm? algorithm = options.Checksum?.Algorithm ?? options.DefaultChecksum;
        _checksum = algorithm is null ? null : IncrementalChecksum.Create(algorithm.Value);
    }

    /// <summary>
    /// Hands the MD5 to the caller, before the first read: from then on this stream does not hash MD5, and the
    /// caller, who must hash every byte it reads in order, gives the digest with <see cref="CompleteMd5"/> before
    /// the read that returns 0, where it is checked against <c>Content-MD5</c> as before. This lets a receiver hash
    /// on another core while the next bytes arrive (MD5 was a third of a 1 MiB PUT's CPU, inline). Returns null when
    /// no MD5 is computed; the caller disposes the hash.
    /// </summary>
    public IncrementalHash? TakeMd5()
    {
        if (_length > 0)
        {
            throw new InvalidOperationException("The MD5 can only be taken before the first read.");
        }

        var md5 = _md5;
        _md5 = null;
        _md5Taken = md5 is not null;
        return md5;
    }

    /// <summary>Gives the MD5 the caller computed after <see cref="TakeMd5"/> (16 bytes).</summary>
    public void CompleteMd5(byte[] digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (!_md5Taken || digest.Length != 16)
        {
            throw new InvalidOperationException("CompleteMd5 takes the 16-byte digest of a hash taken with TakeMd5.");
        }

        _md5Digest = digest;
    }

    /// <summary>True once the payload was read to its end and verified.</summary>
    public bool IsCompleted => _completed;

    /// <summary>Payload bytes read so far.</summary>
    public long BytesRead => _length;

    /// <summary>The payload's MD5 once <see cref="IsCompleted"/> (when one was expected or asked for); null otherwise.</summary>
    public ReadOnlyMemory<byte>? Md5 => _md5Digest;

    /// <summary>The payload's checksum (base64) once <see cref="IsCompleted"/>; null before or when none was computed.</summary>
    public string? ChecksumValue => _checksumValue;

    /// <summary>The algorithm of <see cref="ChecksumValue"/>, or null.</summary>
    public ChecksumAlgorithm? ChecksumAlgorithm => _checksum?.Algorithm;

    /// <inheritdoc />
    public override bool CanRead => !_disposed;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        Check();
        try
        {
            return Account(buffer, _inner.Read(buffer));
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check();
        try
        {
            int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Account(buffer.Span, read);
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _sha256?.Dispose();
            _md5?.Dispose();
            _checksum?.Dispose();
            if (!_options.LeaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void Check()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _failure?.Throw();
    }

    private int Account(ReadOnlySpan<byte> buffer, int read)
    {
        if (read == 0)
        {
            if (buffer.Length > 0 && !_completed)
            {
                Finish();
            }

            return 0;
        }

        ReadOnlySpan<byte> data = buffer[..read];
        _length += read;
        if (_length > _options.ExpectedLength)
        {
            throw new S3PayloadException(S3ErrorCodes.IncompleteBody, $"The body is longer than the {_options.ExpectedLength} bytes declared.");
        }

        _sha256?.AppendData(data);
        _md5?.AppendData(data);
        _checksum?.Append(data);
        return read;
    }

    private void Finish()
    {
        if (_options.ExpectedLength is { } expected && _length != expected)
        {
            throw new S3PayloadException(
                S3ErrorCodes.IncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.");
        }

        Span<byte> digest = stackalloc byte[32];
        if (_sha256 is not null)
        {
            _sha256.GetHashAndReset(digest);
            if (!digest.SequenceEqual(_options.ExpectedSha256))
            {
                throw new S3PayloadException(
                    S3ErrorCodes.XAmzContentSha256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
        }

        if (_md5 is not null || _md5Taken)
        {
            _md5Digest = _md5Taken
                ? _md5Digest ?? throw new InvalidOperationException("The MD5 was taken with TakeMd5 but not given back with CompleteMd5 before the end of the payload.")
                : _md5!.GetHashAndReset();
            if (_options.ExpectedMd5 is not null && !_md5Digest.AsSpan().SequenceEqual(_options.ExpectedMd5))
            {
                throw new S3PayloadException(S3ErrorCodes.BadDigest, "The Content-MD5 you specified did not match what we received.");
            }
        }

        if (_checksum is not null)
        {
            string? value = _options.Checksum?.ExpectedValue;
            if (value is not null && ChecksumAlgorithms.TryDecodeValue(_checksum.Algorithm, value, digest)
                && !_checksum.Matches(digest[.._checksum.HashLengthInBytes]))
            {
                throw new S3PayloadException(
                    S3ErrorCodes.BadDigest, $"The {ChecksumAlgorithms.GetName(_checksum.Algorithm)} you specified did not match the calculated checksum.");
            }

            _checksumValue = _checksum.GetBase64();
        }

        _completed = true;
    }
}
