namespace Nimbus.Sdk.S3;

/// <summary>The body of an upload: its length, and a way to read it (again, for a retry or for a hashing pass).</summary>
internal abstract class S3Body
{
    public abstract long Length { get; }

    /// <summary>Whether <see cref="Open"/> may be called more than once.</summary>
    public abstract bool Replayable { get; }

    /// <summary>A stream positioned at the body's first byte that ends after <see cref="Length"/> bytes; the caller disposes it.</summary>
    public abstract Stream Open();

    public static S3Body FromBytes(ReadOnlyMemory<byte> bytes) => new BytesBody(bytes);

    public static S3Body FromFile(string path, long offset, long length) => new FileBody(path, offset, length);

    public static S3Body FromStream(Stream stream, long length) => new StreamBody(stream, length);

    private sealed class BytesBody(ReadOnlyMemory<byte> bytes) : S3Body
    {
        public override long Length => bytes.Length;

        public override bool Replayable => true;

        public override Stream Open() => new ReadOnlyMemoryStream(bytes);
    }

    private sealed class FileBody(string path, long offset, long length) : S3Body
    {
        public override long Length => length;

        public override bool Replayable => true;

        public override Stream Open()
        {
            var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            });
            file.Position = offset;
            return new BoundedReadStream(file, length);
        }
    }

    /// <summary>A caller's stream: read once from where it stands, unless it can seek back.</summary>
    private sealed class StreamBody(Stream stream, long length) : S3Body
    {
        private readonly long _start = stream.CanSeek ? stream.Position : 0;
        private bool _opened;

        public override long Length => length;

        public override bool Replayable => stream.CanSeek;

        public override Stream Open()
        {
            if (stream.CanSeek)
            {
                stream.Position = _start;
            }
            else if (_opened)
            {
                throw new InvalidOperationException("The upload stream cannot seek, so it can be sent only once.");
            }

            _opened = true;
            return new BoundedReadStream(stream, length, ownsInner: false);
        }
    }
}
