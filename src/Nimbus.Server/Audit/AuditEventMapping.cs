using System.Globalization;
using System.Text.Json;
using Nimbus.Contracts.Audit;
using Nimbus.Core.Audit;

namespace Nimbus.Server.Audit;

/// <summary>Stored audit records to their API form.</summary>
public static class AuditEventMapping
{
    public static AuditEventDto ToDto(this AuditEvent record) => new()
    {
        EventId = "ae-" + record.Sequence.ToString(CultureInfo.InvariantCulture),
        Time = record.Time,
        RequestId = record.RequestId,
        Account = record.Account,
        Principal = record.Principal,
        UserName = record.UserName,
        SessionName = record.SessionName,
        AccessKeyId = record.AccessKeyId,
        SourceIp = record.SourceIp,
        UserAgent = record.UserAgent,
        Method = record.Method,
        Path = record.Path,
        Action = record.Action,
        Resources = record.Resources,
        Outcome = record.Outcome,
        Status = record.Status,
        ErrorCode = record.ErrorCode,
        RequestParameters = record.RequestParameters is { } text ? ParseOrString(text) : null,
    };

    private static JsonElement ParseOrString(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }
}
