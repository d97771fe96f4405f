using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Nimbus.Core.Api;
using Nimbus.Core.Audit;
using Nimbus.Core.Controllers;
using Nimbus.Core.Quotas;
using Nimbus.Core.Security;
using Nimbus.Core.Store;
using Nimbus.Iam;
using Nimbus.Iam.AccessKeys;
using Nimbus.Iam.Accounts;
using Nimbus.Iam.Authentication;
using Nimbus.Iam.Authorization;
using Nimbus.Server.Audit;
using Nimbus.Server.Demo;
using Nimbus.Server.Endpoints;
using Nimbus.Server.Metrics;
using Nimbus.Server.Pipeline;

namespace Nimbus.Server.Hosting;

/// <summary>
/// One running Nimbus control plane: composition, the request pipeline (edge → routing →
/// authenticate → rate limit → authorize → validate/handle), controllers and bootstrap.
/// Used by <c>nimbus up</c> and by the integration tests (port 0, temporary data directory).
/// </summary>
public sealed class NimbusHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private NimbusHost(WebApplication app, NimbusServerOptions options, Uri endpoint)
    {
        _app = app;
        Options = options;
        Endpoint = endpoint;
    }

    public NimbusServerOptions Options { get; }

    /// <summary>The API base address actually bound (the real port when 0 was asked).</summary>
    public Uri Endpoint { get; }

    public IServiceProvider Services => _app.Services;

    public string CredentialsPath => Path.Combine(Options.DataDirectory, PlatformBootstrapper.FileName);

    /// <summary>Starts a control plane; <paramref name="time"/> is the clock (tests pass one they can move, to expire sessions), the system clock by default.</summary>
    public static async Task<NimbusHost> StartAsync(NimbusServerOptions options, CancellationToken cancellationToken, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? time = null)
    {
        DataDirectory.Ensure(options.DataDirectory);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        ConfigureLogging(builder.Logging, options);
        configureLogging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            var address = options.Listen == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Listen);
            kestrel.Listen(address, options.ApiPort);
        });
        builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = options.ShutdownTimeout);
        ConfigureServices(builder.Services, options, time ?? TimeProvider.System);

        var app = builder.Build();
        ConfigurePipeline(app, options);

        var store = app.Services.GetRequiredService<IResourceStore>();
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);

        // Audit trail: its table lives in the store's database; it takes records before the first request.
        await app.Services.GetRequiredService<AuditTrail>().StartAsync(cancellationToken).ConfigureAwait(false);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var endpoint = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        var bootstrapper = app.Services.GetRequiredService<PlatformBootstrapper>();
        await bootstrapper.RunAsync(options.DataDirectory, endpoint.ToString().TrimEnd('/'), options.Region, cancellationToken).ConfigureAwait(false);
        await app.Services.GetRequiredService<ControllerRuntime>().StartAsync(cancellationToken).ConfigureAwait(false);
        return new NimbusHost(app, options, endpoint);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Order matters: stop taking requests (in-flight ones finish), stop controllers, then
        // close the store so every acknowledged write is already on disk.
        await _app.StopAsync().ConfigureAwait(false);
        await _app.Services.GetRequiredService<ControllerRuntime>().StopAsync().ConfigureAwait(false);

        // Audit trail: drain the queued records (requests have finished) before the store closes.
        await _app.Services.GetRequiredService<AuditTrail>().StopAsync().ConfigureAwait(false);

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, NimbusServerOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (options.LogFormat == "json")
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }
    }

    private static void ConfigureServices(IServiceCollection services, NimbusServerOptions options, TimeProvider time)
    {
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton<NimbusMetrics>();
        services.AddSingleton<IResourceStore>(sp => new InstrumentedResourceStore(StoreFactory.Create(options), sp.GetRequiredService<NimbusMetrics>()));
        services.AddSingleton(new SecretProtector(DataDirectory.LoadOrCreateMasterKey(options.DataDirectory)));
        services.AddSingleton<PlatformAccount>();
        services.AddSingleton<AccessKeyService>();
        services.AddSingleton<PlatformBootstrapper>();
        services.AddSingleton<Nimbus.Iam.Principals.PasswordPolicyService>();
        services.AddSingleton<Nimbus.Iam.Principals.UserService>();
        services.AddSingleton<Nimbus.Iam.Principals.GroupService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<Nimbus.Iam.Policies.IActionCatalog>(_ =>
        {
            var catalog = Nimbus.Iam.Policies.ActionCatalog.CreateBuiltIn();
            catalog.Register("iam", [
                ("GetAccount", Nimbus.Iam.Policies.ActionAccessLevel.Read),
                ("CreateVirtualMfaDevice", Nimbus.Iam.Policies.ActionAccessLevel.Write),
                ("DeactivateMfaDevice", Nimbus.Iam.Policies.ActionAccessLevel.Write),
                ("PutUserPermissionsBoundary", Nimbus.Iam.Policies.ActionAccessLevel.Permissions),
                ("DeleteUserPolicy", Nimbus.Iam.Policies.ActionAccessLevel.Permissions),
                ("PutRolePermissionsBoundary", Nimbus.Iam.Policies.ActionAccessLevel.Permissions),
                ("DeleteRolePermissionsBoundary", Nimbus.Iam.Policies.ActionAccessLevel.Permissions),
                ("GetAccountPasswordPolicy", Nimbus.Iam.Policies.ActionAccessLevel.Read),
                ("UpdateAccountPasswordPolicy", Nimbus.Iam.Policies.ActionAccessLevel.Permissions),
                ("DeleteUserPermissionsBoundary", Nimbus.Iam.Policies.ActionAccessLevel.Permissions),
            ]);
            return catalog;
        });
        services.AddSingleton<IamChangeTracker>();
        services.AddSingleton<Nimbus.Iam.Principals.RoleService>();
        services.AddSingleton<Nimbus.Iam.Sts.StsService>();
        services.AddSingleton<Nimbus.Iam.Mfa.MfaService>();
        services.AddSingleton<Nimbus.Iam.Console.ConsoleSessionService>();
        services.AddSingleton<ManagedPolicyService>();
        services.AddSingleton<PolicyAttachmentService>();
        services.AddSingleton<PrincipalPolicies>();
        services.AddSingleton<ResourcePolicyCache>();
        services.AddSingleton<PolicyAuthorizer>();
        services.AddSingleton<IAuthorizer>(sp => sp.GetRequiredService<PolicyAuthorizer>());
        services.AddSingleton<Endpoints.Iam.SimulationDependencies>();
        services.AddSingleton(new SigV4AuthenticationOptions { Region = options.Region });
        services.AddSingleton(new ControllerOptions());
        services.AddSingleton<WidgetService>();
        services.AddSingleton<IReconciler, WidgetReconciler>();
        services.AddSingleton<ControllerRuntime>();

        // Quotas: the ledger and every service's definitions.
        services.AddSingleton<QuotaService>();
        services.AddSingleton(IamQuotas.Users);
        services.AddSingleton(IamQuotas.AccessKeysPerUser);
        services.AddSingleton(WidgetService.Quota);

        services.Configure<JsonOptions>(o => NimbusJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddNimbusAudit(options);
        services.AddOpenApi("v1", o => o.AddDocumentTransformer<OpenApiDocumentTransformer>());
    }

    private static void ConfigurePipeline(WebApplication app, NimbusServerOptions options)
    {
        app.UseMiddleware<EdgeMiddleware>();
        app.UseMiddleware<AuditMiddleware>();
        app.UseRouting();
        app.UseMiddleware<SigV4AuthenticationMiddleware>();
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<AuthorizationMiddleware>();
        app.MapPlatformEndpoints();
        app.MapOpenApi("/openapi/{documentName}.json").Anonymous();
        app.MapIamEndpoints();
        Endpoints.Iam.UserEndpoints.MapUserEndpoints(app);
        Endpoints.Iam.GroupEndpoints.MapGroupEndpoints(app);
        Endpoints.Iam.AccountEndpoints.MapAccountEndpoints(app);
        Endpoints.Iam.PolicyEndpoints.MapPolicyEndpoints(app);
        Endpoints.Iam.RoleEndpoints.MapRoleEndpoints(app);
        Endpoints.Iam.MfaEndpoints.MapMfaEndpoints(app);
        Endpoints.Iam.ConsoleEndpoints.MapConsoleEndpoints(app);
        app.MapWidgetEndpoints(options.Region);
        app.MapQuotaEndpoints();
        app.MapAuditEndpoints();
    }
}
