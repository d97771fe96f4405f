namespace Nimbus.Storage;

/// <summary>How object storage runs: where its data lives, its region and how it is addressed.</summary>
public sealed record StorageOptions
{
    /// <summary>Directory holding the object index, the data files and temporary uploads; required.</summary>
    public required string Directory { get; init; }

    /// <summary>Region buckets live in; <c>local</c> by default. S3 requests must be signed for it.</summary>
    public string Region { get; init; } = "local";

    /// <summary>Domain of virtual-host style addressing (<c>&lt;bucket&gt;.&lt;domain&gt;</c>); <c>s3.localhost</c> by default.</summary>
    public string Domain { get; init; } = "s3.localhost";

    /// <summary>Largest single PUT (and part) body; 5 GiB as in S3.</summary>
    public long MaxObjectSize { get; init; } = 5L * 1024 * 1024 * 1024;

    /// <summary>Time between two scrubs of every object; 24 hours by default. Zero turns the background scrubber off.</summary>
    public TimeSpan ScrubInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Time between two passes of the lifecycle rules over every bucket; 1 hour by default. Zero turns the background pass off.</summary>
    public TimeSpan LifecycleInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Largest clock difference accepted on signed requests; 15 minutes as in AWS.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a CompleteMultipartUpload may work before its 200 response starts and whitespace keeps the
    /// connection alive (an error found later is then an <c>Error</c> document in the 200's body, as S3 does);
    /// 2 seconds by default. Zero starts the response at once.
    /// </summary>
    public TimeSpan CompleteKeepAliveAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time between two whitespace keep-alive bytes of a started CompleteMultipartUpload response; 5 seconds by default.</summary>
    public TimeSpan CompleteKeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);
}
