namespace Nimbus.Contracts.Quotas;

/// <summary>Answer of <c>GET /v1/quotas</c>: every quota of one account, ordered by code.</summary>
public sealed record QuotaListDto
{
    /// <summary>Account the quotas belong to.</summary>
    public required string Account { get; init; }

    /// <summary>The quotas, ordered by code.</summary>
    public required IReadOnlyList<QuotaDto> Items { get; init; }
}
