using System.Collections.Concurrent;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Iam;
using Nimbus.Core.Audit;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Sts;

namespace Nimbus.Compute.Metadata;

/// <summary>
/// Temporary credentials of an instance's role (its instance profile): compute assumes the role as the service
/// principal <c>compute.nimbus</c>, with the instance id as session name, through the same STS sessions as
/// <c>sts:AssumeRole</c>. The credentials are kept and handed out again until they are within
/// <see cref="ComputeOptions.CredentialRefreshBefore"/> of expiry; then new ones are issued. Every issuance (or refusal)
/// is in the audit trail.
/// </summary>
public sealed class InstanceProfileCredentials(StsService sts, AuditTrail audit, ComputeOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Issued> _issued = new(StringComparer.Ordinal);

    /// <summary>Credentials of the instance's role, or an error code and message when the role cannot be assumed.</summary>
    public async Task<Issued> GetAsync(Resource instance, InstanceSpec spec, string sourceIp, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(spec);
        var roleId = spec.IamRoleId ?? throw new InvalidOperationException($"instance {instance.Id} has no role");
        var gate = _locks.GetOrAdd(instance.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_issued.TryGetValue(instance.Id, out var cached) && cached.RoleId == roleId && cached.Credentials is { } current
                && current.Expiration - time.GetUtcNow() > options.CredentialRefreshBefore)
            {
                return cached;
            }

            Issued issued;
            try
            {
                var credentials = await sts.AssumeRoleForServiceAsync(ServicePrincipals.Compute, instance.Account, roleId, instance.Id, cancellationToken).ConfigureAwait(false);
                issued = new Issued(roleId, credentials, time.GetUtcNow(), null, null);
                _issued[instance.Id] = issued;
            }
            catch (NimbusException ex) when (ex.Status is 403 or 404)
            {
                _issued.TryRemove(instance.Id, out _);
                issued = new Issued(roleId, null, time.GetUtcNow(), "AssumeRoleUnauthorizedAccess", ex.Message);
            }

            await RecordAsync(instance, issued, sourceIp, path).ConfigureAwait(false);
            return issued;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets what was issued for a terminated instance (the sessions expire by themselves).</summary>
    public void Forget(string instanceId)
    {
        _issued.TryRemove(instanceId, out _);
        _locks.TryRemove(instanceId, out _);
    }

    private ValueTask RecordAsync(Resource instance, Issued issued, string sourceIp, string path) =>
        audit.RecordAsync(new AuditEvent
        {
            Time = issued.At,
            RequestId = ResourceIds.NewRequestId(),
            Account = instance.Account,
            Principal = ServicePrincipals.Compute,
            SessionName = instance.Id,
            AccessKeyId = issued.Credentials?.AccessKeyId,
            SourceIp = sourceIp,
            UserAgent = "nimbus-instance-metadata",
            Method = "GET",
            Path = path,
            Action = "sts:AssumeRole",
            Resources = [Nrn.Format(Nimbus.Iam.IamKinds.Role, Nimbus.Iam.IamKinds.GlobalRegion, instance.Account, issued.RoleId), instance.Nrn],
            Outcome = issued.Credentials is null ? AuditOutcomes.Denied : AuditOutcomes.Allowed,
            Status = issued.Credentials is null ? 403 : 200,
            ErrorCode = issued.ErrorCode,
        });

    /// <summary>What the last issuance gave: credentials, or the code and message of why there are none.</summary>
    public sealed record Issued(string RoleId, TemporaryCredentialsDto? Credentials, DateTimeOffset At, string? ErrorCode, string? Message);
}
