using System.Text.Json;
using System.Text.Json.Serialization;
using Nimbus.Contracts.Demo;
using Nimbus.Contracts.Errors;
using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;

namespace Nimbus.Sdk.Json;

// Source-generated metadata keeps the CLI's cold start free of reflection-based serializer setup.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProblemDto))]
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
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class NimbusJsonContext : JsonSerializerContext
{
}
