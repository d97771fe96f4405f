using Nimbus.Contracts.Resources;
using Nimbus.Core.Resources;

namespace Nimbus.Core.Api;

/// <summary>Maps store resources to the API envelope.</summary>
public static class ResourceMapping
{
    public static ResourceDto ToDto(this Resource resource) => new()
    {
        Id = resource.Id,
        Kind = resource.Kind,
        Nrn = resource.Nrn,
        Account = resource.Account,
        Name = resource.Name,
        Tags = resource.Tags,
        Spec = resource.Spec,
        Status = new ResourceStatusDto
        {
            Phase = resource.DeletionRequestedAt is null ? resource.Status.Phase : ResourcePhases.Deleting,
            Message = resource.Status.Message,
            ObservedVersion = resource.Status.ObservedVersion,
            Conditions = [.. resource.Status.Conditions.Select(c => new ConditionDto
            {
                Type = c.Type,
                Status = c.Status,
                Reason = c.Reason,
                Message = c.Message,
                LastTransitionTime = c.LastTransitionTime,
            })],
            Details = resource.Status.Details,
        },
        Version = resource.Version,
        CreatedAt = resource.CreatedAt,
        UpdatedAt = resource.UpdatedAt,
    };
}
