using Nimbus.Contracts.Iam;
using Nimbus.Contracts.Resources;
using Nimbus.Core.Api;
using Nimbus.Core.Errors;
using Nimbus.Core.Resources;
using Nimbus.Core.Store;
using Nimbus.Iam;
using Nimbus.Iam.Authorization;
using Nimbus.Iam.Policies;
using Nimbus.Iam.Principals;

namespace Nimbus.Server.Endpoints.Iam;

/// <summary><c>/v1/iam/policies</c>, attachments on users and groups, and simulation.</summary>
public static class PolicyEndpoints
{
    public static void MapPolicyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/iam/policies").WithTags("iam")
            .ProducesError(400).ProducesError(401).ProducesError(403).ProducesError(429);
        var collection = ResourceScope.Collection(IamKinds.Policy, IamKinds.GlobalRegion);
        var item = ResourceScope.Item(IamKinds.Policy, IamKinds.GlobalRegion);

        group.MapPost("", async (CreatePolicyRequest request, HttpContext http, ManagedPolicyService policies, CancellationToken ct) =>
        {
            var policy = await policies.CreateAsync(http.Caller().Account, request, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/iam/policies/{policy.Id}", policy.ToDto());
        }).RequiresAction("iam:CreatePolicy", collection).WithIdempotency().ProducesError(409)
            .WithSummary("Create a managed policy; a malformed document is refused with line and column.");

        group.MapGet("", async (HttpContext http, ManagedPolicyService policies, string? name, CancellationToken ct) =>
        {
            var (pageSize, token) = Paging.Read(http.Request);
            var page = await policies.ListAsync(http.Caller().Account, name, pageSize, token, ct).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<ResourceDto> { Items = [.. page.Items.Select(ResourceMapping.ToDto)], NextToken = page.NextPageToken });
        }).RequiresAction("iam:ListPolicies", collection).WithSummary("List the account's managed policies.");

        app.MapGet("/v1/iam/policies:builtin", (ManagedPolicyService policies) =>
            TypedResults.Ok(new PageDto<BuiltInPolicyDto>
            {
                Items = [.. policies.BuiltIns.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new BuiltInPolicyDto { Name = p.Name, Nrn = BuiltInPolicies.NrnOf(p.Name), Document = p.Document.ToJson() })],
            })).WithTags("iam").RequiresAction("iam:ListPolicies", collection).WithSummary("The platform's built-in policies.");

        group.MapGet("/{id}", async (string id, HttpContext http, ManagedPolicyService policies, CancellationToken ct) =>
            TypedResults.Ok((await policies.GetAsync(http.Caller().Account, id, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:GetPolicy", item).WithResourceTags().ProducesError(404).WithSummary("Get a managed policy with its versions.");

        group.MapPost("/{id}/versions", async (string id, CreatePolicyVersionRequest request, HttpContext http, ManagedPolicyService policies, CancellationToken ct) =>
            TypedResults.Ok((await policies.CreateVersionAsync(http.Caller().Account, id, request, ct).ConfigureAwait(false)).ToDto()))
            .RequiresAction("iam:CreatePolicyVersion", item).WithResourceTags().ProducesError(404).WithSummary("Add a version (in force by default; five are kept).");

        group.MapDelete("/{id}", async (string id, HttpContext http, ManagedPolicyService policies, CancellationToken ct) =>
        {
            await policies.DeleteAsync(http.Caller().Account, id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).RequiresAction("iam:DeletePolicy", item).WithResourceTags().ProducesError(404).ProducesError(409).WithSummary("Delete a policy that is attached nowhere.");

        app.MapPost("/v1/iam/policies:simulate", SimulateAsync).WithTags("iam")
            .RequiresAction("iam:SimulatePrincipalPolicy", ResourceScope.Collection(IamKinds.User, IamKinds.GlobalRegion))
            .ProducesError(400).ProducesError(404).WithSummary("Say whether a user (or a session of a role) may perform actions on resources, and which statement decided.");

        MapAttachments(app, "/v1/iam/users", IamKinds.User, "User");
        MapAttachments(app, "/v1/iam/groups", IamKinds.Group, "Group");
        MapAttachments(app, "/v1/iam/roles", IamKinds.Role, "Role");

        MapInlinePolicies(app, "/v1/iam/users", IamKinds.User, "User");
        MapInlinePolicies(app, "/v1/iam/groups", IamKinds.Group, "Group");
        MapInlinePolicies(app, "/v1/iam/roles", IamKinds.Role, "Role");
        MapBoundary(app, "/v1/iam/users", IamKinds.User, "User");
        MapBoundary(app, "/v1/iam/roles", IamKinds.Role, "Role");
    }

    private static void MapInlinePolicies(IEndpointRouteBuilder app, string basePath, string kind, string noun)
    {
        var item = ResourceScope.Item(kind, IamKinds.GlobalRegion);
        var lower = noun.ToLowerInvariant();
        app.MapPut(basePath + "/{id}/policies/{name}", async (string id, string name, PutInlinePolicyRequest request, HttpContext http, PolicyAttachmentService attachments, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Document))
            {
                throw NimbusException.Invalid("document", "is required");
            }

            return TypedResults.Ok((await attachments.PutInlineAsync(http.Caller().Account, kind, id, name, request.Document, ct).ConfigureAwait(false)).ToDto());
        }).WithTags("iam").RequiresAction($"iam:Put{noun}Policy", item).WithResourceTags().ProducesError(400).ProducesError(404).ProducesError(409)
            .WithSummary($"Put an inline policy on a {lower} (validated like managed policies; at most 10).");
        app.MapGet(basePath + "/{id}/policies", async (string id, HttpContext http, IResourceStore store, CancellationToken ct) =>
        {
            var principal = PolicyAttachmentService.Owned(await store.GetAsync(id, ct).ConfigureAwait(false), http.Caller().Account, kind, id);
            return TypedResults.Ok(new PageDto<InlinePolicyDto>
            {
                Items = [.. PolicyAttachmentService.InlineOf(principal).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new InlinePolicyDto { Name = p.Key, Document = p.Value })],
            });
        }).WithTags("iam").RequiresAction($"iam:List{noun}Policies", item).WithResourceTags().ProducesError(404)
            .WithSummary($"List a {lower}'s inline policies with their documents.");
        app.MapGet(basePath + "/{id}/policies/{name}", async (string id, string name, HttpContext http, IResourceStore store, CancellationToken ct) =>
        {
            var principal = PolicyAttachmentService.Owned(await store.GetAsync(id, ct).ConfigureAwait(false), http.Caller().Account, kind, id);
            return PolicyAttachmentService.InlineOf(principal).TryGetValue(name, out var document)
                ? TypedResults.Ok(new InlinePolicyDto { Name = name, Document = document })
                : throw NimbusException.NotFound($"Inline policy '{name}' of {lower} '{principal.Name}'");
        }).WithTags("iam").RequiresAction($"iam:Get{noun}Policy", item).WithResourceTags().ProducesError(404)
            .WithSummary($"Get one inline policy of a {lower}, exactly as written.");
        app.MapDelete(basePath + "/{id}/policies/{name}", async (string id, string name, HttpContext http, PolicyAttachmentService attachments, CancellationToken ct) =>
            TypedResults.Ok((await attachments.PutInlineAsync(http.Caller().Account, kind, id, name, null, ct).ConfigureAwait(false)).ToDto()))
            .WithTags("iam").RequiresAction($"iam:Delete{noun}Policy", item).WithResourceTags().ProducesError(404)
            .WithSummary($"Delete an inline policy of a {lower}.");
    }

    private static void MapBoundary(IEndpointRouteBuilder app, string basePath, string kind, string noun)
    {
        var item = ResourceScope.Item(kind, IamKinds.GlobalRegion);
        app.MapPost(basePath + "/{id}:put-boundary", async (string id, PolicyAttachmentRequest request, HttpContext http, PolicyAttachmentService attachments, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(request.Policy))
            {
                throw NimbusException.Invalid("policy", "is required");
            }

            return TypedResults.Ok((await attachments.SetBoundaryAsync(http.Caller().Account, kind, id, request.Policy, ct).ConfigureAwait(false)).ToDto());
        }).WithTags("iam").RequiresAction($"iam:Put{noun}PermissionsBoundary", item).WithResourceTags().ProducesError(400).ProducesError(404)
            .WithSummary($"Set a {noun.ToLowerInvariant()}'s permissions boundary: the most its policies can grant.");
        app.MapPost(basePath + "/{id}:delete-boundary", async (string id, HttpContext http, PolicyAttachmentService attachments, CancellationToken ct) =>
            TypedResults.Ok((await attachments.SetBoundaryAsync(http.Caller().Account, kind, id, null, ct).ConfigureAwait(false)).ToDto()))
            .WithTags("iam").RequiresAction($"iam:Delete{noun}PermissionsBoundary", item).WithResourceTags().ProducesError(404)
            .WithSummary($"Remove a {noun.ToLowerInvariant()}'s permissions boundary.");
    }

    private static void MapAttachments(IEndpointRouteBuilder app, string basePath, string kind, string noun)
    {
        var item = ResourceScope.Item(kind, IamKinds.GlobalRegion);
        app.MapPost(basePath + "/{id}:attach-policy", async (string id, PolicyAttachmentRequest request, HttpContext http, PolicyAttachmentService attachments, CancellationToken ct) =>
            TypedResults.Ok((await attachments.ChangeAsync(http.Caller().Account, kind, id, request.Policy, attach: true, ct).ConfigureAwait(false)).ToDto()))
            .WithTags("iam").RequiresAction($"iam:Attach{noun}Policy", item).WithResourceTags().ProducesError(400).ProducesError(404).ProducesError(409)
            .WithSummary($"Attach a managed policy to a {noun.ToLowerInvariant()}.");
        app.MapPost(basePath + "/{id}:detach-policy", async (string id, PolicyAttachmentRequest request, HttpContext http, PolicyAttachmentService attachments, CancellationToken ct) =>
            TypedResults.Ok((await attachments.ChangeAsync(http.Caller().Account, kind, id, request.Policy, attach: false, ct).ConfigureAwait(false)).ToDto()))
            .WithTags("iam").RequiresAction($"iam:Detach{noun}Policy", item).WithResourceTags().ProducesError(400).ProducesError(404)
            .WithSummary($"Detach a managed policy from a {noun.ToLowerInvariant()}.");
    }

    private static async Task<SimulatePolicyResponse> SimulateAsync(SimulatePolicyRequest request, HttpContext http, SimulationDependencies stores, CancellationToken ct)
    {
        var caller = http.Caller();
        var errors = new FieldErrors();
        if ((request.UserName is null) == (request.RoleName is null))
        {
            errors.Add("userName", "give exactly one of userName and roleName");
        }
        else if (request.UserName is not null)
        {
            IamValidation.Name(errors, "userName", request.UserName, UserService.MaxNameLength);
        }
        else
        {
            IamValidation.Name(errors, "roleName", request.RoleName, 64);
        }

        if (request.Actions is null || request.Actions.Count == 0)
        {
            errors.Add("actions", "at least one action is required");
        }
        else if (request.Actions.Count > 100 || (request.Resources?.Count ?? 0) > 100)
        {
            errors.Add("actions", "at most 100 actions and 100 resources");
        }

        errors.ThrowIfAny();
        var results = new List<SimulationResultDto>();
        var resources = request.Resources is { Count: > 0 } r ? r : ["*"];
        CompiledPolicySet set;
        Nimbus.Iam.Policies.RequestContext context;
        string principal;
        string account;
        if (request.RoleName is not null)
        {
            var role = await stores.Store.GetByNameAsync(caller.Account, IamKinds.Role, request.RoleName, ct).ConfigureAwait(false)
                ?? throw NimbusException.NotFound($"Role '{request.RoleName}'");
            set = await stores.PrincipalPolicies.GetForRoleAsync(role, null, ct).ConfigureAwait(false);
            principal = role.Nrn;
            account = role.Account;
            context = stores.Authorizer.ContextForRole(caller with { Principal = principal }, role);
        }
        else
        {
            var user = await stores.Store.GetByNameAsync(caller.Account, IamKinds.User, request.UserName!, ct).ConfigureAwait(false)
                ?? throw NimbusException.NotFound($"User '{request.UserName}'");
            var grant = await stores.PrincipalPolicies.GetAsync(user, ct).ConfigureAwait(false);
            if (grant.IsRoot)
            {
                foreach (var action in request.Actions!)
                {
                    results.AddRange(resources.Select(resource => new SimulationResultDto { Action = action, Resource = resource, Decision = "allowed", Reason = "root user of the account" }));
                }

                return new SimulatePolicyResponse { Results = results };
            }

            set = grant.Policies;
            principal = user.Nrn;
            account = user.Account;
            context = stores.Authorizer.ContextFor(caller with { Principal = principal }, user);
        }

        foreach (var (key, values) in request.Context ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            context.Set(key, [.. values]);
        }

        foreach (var action in request.Actions!)
        {
            foreach (var resource in resources)
            {
                var decision = set.Evaluate(new AuthorizationRequest
                {
                    Action = action,
                    Resource = resource,
                    PrincipalNrn = principal,
                    PrincipalAccount = account,
                    ResourceAccount = account,
                    Context = context,
                });
                results.Add(new SimulationResultDto
                {
                    Action = action,
                    Resource = resource,
                    Decision = decision.Kind switch
                    {
                        DecisionKind.Allowed => "allowed",
                        DecisionKind.ExplicitDeny => "explicitDeny",
                        _ => "implicitDeny",
                    },
                    DecidingStatement = decision.Statement?.ToString(),
                    Reason = decision.Reason,
                });
            }
        }

        return new SimulatePolicyResponse { Results = results };
    }
}
