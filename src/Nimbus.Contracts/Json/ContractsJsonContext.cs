using System.Text.Json;
using System.Text.Json.Serialization;
using Nimbus.Contracts.Audit;
using Nimbus.Contracts.Compute;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Network;
using Nimbus.Contracts.Quotas;
using Nimbus.Contracts.Resources;
using Nimbus.Contracts.Storage;

namespace Nimbus.Contracts.Json;

/// <summary>
/// Source-generated serializer metadata for the API contracts: the CLI starts without reflection-based
/// setup and the server serializes its answers without reflection on the hot path.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ProblemDto))]
[JsonSerializable(typeof(CreateSecurityGroupRequest))]
[JsonSerializable(typeof(CreateNetworkInterfaceRequest))]
[JsonSerializable(typeof(AttachNetworkInterfaceRequest))]
[JsonSerializable(typeof(AssignPrivateIpAddressesRequest))]
[JsonSerializable(typeof(UnassignPrivateIpAddressesRequest))]
[JsonSerializable(typeof(NetworkInterfaceSpec))]
[JsonSerializable(typeof(SecurityGroupRuleRequest))]
[JsonSerializable(typeof(SecurityGroupSpec))]
[JsonSerializable(typeof(SetInstanceSecurityGroupsRequest))]
[JsonSerializable(typeof(ResourceDto))]
[JsonSerializable(typeof(PageDto<ResourceDto>))]
[JsonSerializable(typeof(AccessKeyDto))]
[JsonSerializable(typeof(PageDto<AccessKeyDto>))]
[JsonSerializable(typeof(CreateAccessKeyRequest))]
[JsonSerializable(typeof(CreateAccessKeyResponse))]
[JsonSerializable(typeof(CallerIdentityDto))]
[JsonSerializable(typeof(CreateWidgetRequest))]
[JsonSerializable(typeof(UpdateWidgetRequest))]
[JsonSerializable(typeof(WidgetSpec))]
[JsonSerializable(typeof(QuotaListDto))]
[JsonSerializable(typeof(SetQuotaRequest))]
[JsonSerializable(typeof(QuotaDto))]
[JsonSerializable(typeof(AuditEventDto))]
[JsonSerializable(typeof(PageDto<AuditEventDto>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(UserSpec))]
[JsonSerializable(typeof(RoleSpec))]
[JsonSerializable(typeof(PasswordPolicyDto))]
[JsonSerializable(typeof(ConsoleLoginRequest))]
[JsonSerializable(typeof(ConsoleSessionDto))]
[JsonSerializable(typeof(MfaDeviceDto))]
[JsonSerializable(typeof(CreateMfaDeviceResponse))]
[JsonSerializable(typeof(EnableMfaDeviceRequest))]
[JsonSerializable(typeof(GetSessionTokenRequest))]
[JsonSerializable(typeof(CreateRoleRequest))]
[JsonSerializable(typeof(AssumeRoleRequest))]
[JsonSerializable(typeof(TemporaryCredentialsDto))]
[JsonSerializable(typeof(PolicySpec))]
[JsonSerializable(typeof(CreatePolicyRequest))]
[JsonSerializable(typeof(CreatePolicyVersionRequest))]
[JsonSerializable(typeof(PolicyAttachmentRequest))]
[JsonSerializable(typeof(PutInlinePolicyRequest))]
[JsonSerializable(typeof(InlinePolicyDto))]
[JsonSerializable(typeof(SessionDto))]
[JsonSerializable(typeof(PageDto<SessionDto>))]
[JsonSerializable(typeof(RevokeSessionRequest))]
[JsonSerializable(typeof(PageDto<InlinePolicyDto>))]
[JsonSerializable(typeof(BuiltInPolicyDto))]
[JsonSerializable(typeof(PageDto<BuiltInPolicyDto>))]
[JsonSerializable(typeof(SimulatePolicyRequest))]
[JsonSerializable(typeof(SimulatePolicyResponse))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(SetPasswordRequest))]
[JsonSerializable(typeof(GroupSpec))]
[JsonSerializable(typeof(CreateGroupRequest))]
[JsonSerializable(typeof(GroupMemberRequest))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(CreateAccountResponse))]
[JsonSerializable(typeof(CreateBucketRequest))]
[JsonSerializable(typeof(BucketSpec))]
[JsonSerializable(typeof(BucketUsageDto))]
[JsonSerializable(typeof(InstanceTypeDto))]
[JsonSerializable(typeof(PageDto<InstanceTypeDto>))]
[JsonSerializable(typeof(InstanceTypeCatalogDto))]
[JsonSerializable(typeof(ImageSpec))]
[JsonSerializable(typeof(ImageDetailsDto))]
[JsonSerializable(typeof(BuildImageRequest))]
[JsonSerializable(typeof(CreateImageFromInstanceRequest))]
[JsonSerializable(typeof(ShareImageRequest))]
[JsonSerializable(typeof(DeprecateImageRequest))]
[JsonSerializable(typeof(RunInstancesRequest))]
[JsonSerializable(typeof(RunInstancesResponse))]
[JsonSerializable(typeof(InstanceSpec))]
[JsonSerializable(typeof(InstanceInterfaceSpec))]
[JsonSerializable(typeof(ModifyInstanceRequest))]
[JsonSerializable(typeof(InstanceDetailsDto))]
[JsonSerializable(typeof(ConsoleOutputDto))]
[JsonSerializable(typeof(InstanceStatsDto))]
[JsonSerializable(typeof(GarbageReportDto))]
[JsonSerializable(typeof(CreateVpcRequest))]
[JsonSerializable(typeof(VpcSpec))]
[JsonSerializable(typeof(CreateSubnetRequest))]
[JsonSerializable(typeof(SubnetSpec))]
[JsonSerializable(typeof(SubnetDetailsDto))]
[JsonSerializable(typeof(SubnetAddressesDto))]
public sealed partial class ContractsJsonContext : JsonSerializerContext
{
}
