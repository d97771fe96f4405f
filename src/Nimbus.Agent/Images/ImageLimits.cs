using Nimbus.Compute.Node;

namespace Nimbus.Agent.Images;

/// <summary>Running totals of one image being written, against its limits: bytes of file content and entries.</summary>
internal sealed class ImageLimits(long maxBytes, long maxEntries)
{
    public long Bytes { get; private set; }

    public long Entries { get; private set; }

    public void CountBytes(long bytes, string entry)
    {
        Bytes += bytes;
        if (bytes < 0 || Bytes > maxBytes)
        {
            throw new NodeException($"the image grows past {maxBytes} bytes at '{RootfsWriter.Show(entry)}' (the limit of an image's files); nothing was imported");
        }
    }

    public void CountEntry()
    {
        if (++Entries > maxEntries)
        {
            throw new NodeException($"the image has more than {maxEntries} entries (the limit); nothing was imported");
        }
    }
}
