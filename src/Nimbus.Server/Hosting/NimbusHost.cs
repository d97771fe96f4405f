using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Nimbus.Agent;
using Nimbus.Compute;
using Nimbus.Compute.Api;
using Nimbus.Compute.Images;
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
using Nimbus.Network;
using Nimbus.Network.Api;
using Nimbus.Server.Audit;
using Nimbus.Server.Demo;
using Nimbus.Server.Endpoints;
using Nimbus.Server.Metrics;
using Nimbus.Server.Pipeline;
using Nimbus.Storage;
using Nimbus.Storage.Api;
using Nimbus.Storage.S3;

namespace Nimbus.Server.Hosting;

/// <summary>
/// One running Nimbus control plane: composition, the request pipeline (edge → routing →
/// authenticate → rate limit → authorize → validate/handle), controllers and bootstrap.
/// Used by <c>nimbus up</c> and by the integration tests (port 0, temporary data directory).
/// </summary>
public sealed class NimbusHost : IAsyncDisposable
{
    /// <summary>Response bytes a connection may buffer before a flush waits for the socket (see <see cref="StartAsync"/>).</summary>
    private const long ResponseBufferBytes = 2 * 1024 * 1024;

    private readonly WebApplication _app;
    private int _disposed;

    private NimbusHost(WebApplication app, NimbusServerOptions options, Uri endpoint, Uri s3Endpoint)
    {
        _app = app;
        Options = options;
        Endpoint = endpoint;
        S3Endpoint = s3Endpoint;
    }

    public NimbusServerOptions Options { get; }

    /// <summary>The API base address actually bound (the real port when 0 was asked).</summary>
    public Uri Endpoint { get; }

    /// <summary>The S3 protocol address actually bound (object storage, path style or virtual-host style).</summary>
    public Uri S3Endpoint { get; }

    public IServiceProvider Services => _app.Services;

    public string CredentialsPath => Path.Combine(Options.DataDirectory, PlatformBootstrapper.FileName);

    /// <summary>Starts a control plane; <paramref name="time"/> is the clock (tests pass one they can move, to expire sessions), the system clock by default.</summary>
    public static async Task<NimbusHost> StartAsync(NimbusServerOptions options, CancellationToken cancellationToken, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? time = null)
    {
        DataDirectory.Ensure(options.DataDirectory);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        ConfigureLogging(builder.Logging, options);
        configureLogging?.Invoke(builder.Logging);
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? s3Listener = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            var address = options.Listen == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Listen);
            kestrel.Listen(address, options.ApiPort);

            // The S3 door: same host, its own listener; its connections are marked so the pipeline's first
            // step can hand them to the S3 pipeline.
            kestrel.Listen(address, options.S3Port, listen =>
            {
                s3Listener = listen;
                listen.Use(next => connection =>
                {
                    connection.Items[StorageComposition.S3ConnectionMarker] = true;
                    return next(connection);
                });
            });
        });
        // Response buffering per connection: 2 MiB, two blocks of a large GET, instead of the transport's 64 KiB.
        // With 64 KiB, each 1 MiB block's flush waited until the socket had taken nearly all of it. With inline
        // scheduling (below) a flush runs the send on the request's thread anyway (strace: pread, then a 1 MiB
        // sendto that the loopback socket takes whole, per block); the 2 MiB matter when the client reads slower
        // than the server sends: the flush then returns while the socket drains and the request reads the next
        // block. Memory: at most 2 MiB buffered per connection.
        //
        // Inline scheduling: a request runs on the thread that completed its socket read (with the inline socket
        // completions that Program.cs turns on, the socket engine's own epoll thread), not on a thread-pool
        // thread after one or two hand-offs. A/B against main, 4 KiB GETs at c=32: 0.037-0.040 ms of server
        // CPU per GET against 0.045-0.056, 1.5x the GETs per second. The price is that a request must not block
        // that thread for long: object GETs and HEADs stay on it (their blocking work is a page-cache pread and
        // a CRC, as in nginx's event loop), every other request moves to the thread pool first (see
        // ConfigurePipeline and S3Server.HandleAsync).
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.MaxWriteBufferSize = ResponseBufferBytes;
            sockets.UnsafePreferInlineScheduling = true;
        });

        builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = options.ShutdownTimeout);
        ConfigureServices(builder.Services, options, time ?? TimeProvider.System);

        var app = builder.Build();
        ConfigurePipeline(app, options);

        var store = app.Services.GetRequiredService<IResourceStore>();
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);

        // Audit trail: its table lives in the store's database; it takes records before the first request.
        await app.Services.GetRequiredService<AuditTrail>().StartAsync(cancellationToken).ConfigureAwait(false);

        // Object storage: opens its index and cleans what a crash left before the S3 port takes requests.
        app.Services.GetRequiredService<StorageRuntime>().Start();

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var endpoint = new Uri(Loopback(bound));
        var s3Endpoint = new Uri(Loopback($"http://{options.Listen}:{s3Listener!.IPEndPoint!.Port}"));
        var bootstrapper = app.Services.GetRequiredService<PlatformBootstrapper>();
        await bootstrapper.RunAsync(options.DataDirectory, endpoint.ToString().TrimEnd('/'), s3Endpoint.ToString().TrimEnd('/'), options.Region, cancellationToken).ConfigureAwait(false);

        // Compute: the built-in images are declared before controllers start, which then build them.
        await app.Services.GetRequiredService<ImageService>().EnsureBuiltInAsync(app.Services.GetRequiredService<PlatformAccount>().AccountId, cancellationToken).ConfigureAwait(false);
        await app.Services.GetRequiredService<ControllerRuntime>().StartAsync(cancellationToken).ConfigureAwait(false);
        return new NimbusHost(app, options, endpoint, s3Endpoint);
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

        // Object storage: its last index commits and usage figures, while the store is still open.
        await _app.Services.GetRequiredService<StorageRuntime>().DisposeAsync().ConfigureAwait(false);

        // Audit trail: drain the queued records (requests have finished) before the store closes.
        await _app.Services.GetRequiredService<AuditTrail>().StopAsync().ConfigureAwait(false);

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task OnThreadPoolAsync(HttpContext context, RequestDelegate next)
    {
        await Task.Yield();
        await next(context).ConfigureAwait(false);
    }

    private static string Loopback(string address) =>
        address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal);

    private static void ConfigureLogging(ILoggingBuilder logging, NimbusServerOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // Nothing of ours reads the per-request log scope or Activity that hosting makes while this
        // category is enabled at any level; turning it off saves both allocations on every request.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
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

        // Kestrel's socket buffers: 64 KiB per recv instead of 4 KiB (see LargeBlockMemoryPool).
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        services.AddSingleton<NimbusMetrics>();
        services.AddSingleton<IResourceStore>(sp => new InstrumentedResourceStore(StoreFactory.Create(options), sp.GetRequiredService<NimbusMetrics>()));
        services.AddSingleton(new SecretProtector(DataDirectory.LoadOrCreateMasterKey(options.DataDirectory)));
        services.AddSingleton<PlatformAccount>();
        services.AddSingleton<ResourceWaits>();
        services.AddSingleton<AccessKeyService>();
        services.AddSingleton<PlatformBootstrapper>();
        services.AddSingleton<SigV4Authenticator>();
        services.AddSingleton<Nimbus.Iam.Principals.PasswordPolicyService>();
        services.AddSingleton<Nimbus.Iam.Principals.UserService>();
        services.AddSingleton<Nimbus.Iam.Principals.GroupService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<Nimbus.Iam.Policies.IActionCatalog>(_ =>
        {
            var catalog = Nimbus.Iam.Policies.ActionCatalog.CreateBuiltIn();
            StorageActions.Register(catalog);
            ComputeActions.Register(catalog);
            NetworkActions.Register(catalog);
            Nimbus.Compute.Networking.SecurityGroups.SecurityGroupActions.Register(catalog);
            Nimbus.Compute.Networking.ElasticIps.ElasticIpActions.Register(catalog);
            Nimbus.Compute.Networking.Interfaces.NetworkInterfaceActions.Register(catalog);
            Nimbus.Compute.Networking.NatGateways.NatGatewayActions.Register(catalog);
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
        services.AddNimbusStorage(new StorageOptions
        {
            Directory = Path.Combine(options.DataDirectory, "storage"),
            Region = options.Region,
            Domain = options.S3Domain,
            CompleteKeepAliveAfter = options.S3CompleteKeepAliveAfter,
        });

        services.AddNimbusCompute(new ComputeOptions
        {
            Directory = Path.Combine(options.DataDirectory, "compute"),
            Region = options.Region,
            CpuOvercommitRatio = options.ComputeCpuOvercommitRatio,
            StopGracePeriod = options.ComputeStopGracePeriod,
            TerminatedRetention = options.ComputeTerminatedRetention,
            ConsoleLogMaxBytes = options.ComputeConsoleLogMaxBytes,
            RuncRoot = options.RuncRoot,
            NetworkCidr = options.NetworkCidr,
            BridgeName = options.NetworkBridge,
            NftTable = options.NetworkBridge == "nimbus0" ? "nimbus" : "nimbus_" + options.NetworkBridge.Replace('-', '_'),
            MetadataPort = options.MetadataPort,
            ElasticIpPool = options.NetworkEipPool,
            ElasticIpDevice = options.NetworkEipDevice,
            DebianMirror = options.ComputeDebianMirror,
            MaxImageUploadBytes = options.ComputeMaxImageUploadBytes,
        });
        services.AddRuncNode();
        services.AddNimbusNetwork(new NetworkOptions
        {
            Region = options.Region,
            ReservedCidrs = [options.NetworkCidr],
            DefaultVpcPool = options.NetworkDefaultVpcPool,
            DefaultVpcPrefixLength = options.NetworkDefaultVpcPrefixLength,
            DefaultSubnetPrefixLength = options.NetworkDefaultSubnetPrefixLength,
        });

        services.Configure<JsonOptions>(o => NimbusJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddNimbusAudit(options);
        services.AddOpenApi("v1", o => o.AddDocumentTransformer<OpenApiDocumentTransformer>());

        // AddOpenApi puts its own source-generated context (default, not camelCase, options) in front of
        // the API's JSON resolvers. System.Text.Json uses its fast, generated writers only when every
        // resolver in the chain agrees with the options, so that one context sent every response down the
        // slow generic path. The reflection fallback at the end of the chain serves its types instead.
        services.PostConfigure<JsonOptions>(o =>
        {
            var chain = o.SerializerOptions.TypeInfoResolverChain;
            for (var i = chain.Count - 1; i >= 0; i--)
            {
                if (chain[i] is System.Text.Json.Serialization.JsonSerializerContext context && context is not Nimbus.Contracts.Json.ContractsJsonContext)
                {
                    chain.RemoveAt(i);
                }
            }
        });
    }

    private static void ConfigurePipeline(WebApplication app, NimbusServerOptions options)
    {
        // S3 traffic leaves here for its own pipeline: no routing, no problem+json, no body buffering.
        var s3 = app.Services.GetRequiredService<S3Server>();
        // Everything else leaves the socket's thread first: its handlers run SQLite transactions and may wait
        // (inline scheduling, see StartAsync).
        app.Use((context, next) => StorageComposition.IsS3Request(context) ? s3.HandleAsync(context) : OnThreadPoolAsync(context, next));
        app.UseMiddleware<EdgeMiddleware>();
        app.UseMiddleware<AuditMiddleware>();
        app.UseRouting();
        app.UseMiddleware<SigV4AuthenticationMiddleware>();
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<AuthorizationMiddleware>();

        // Exec sessions (compute) are WebSockets: the upgrade request passes authentication, authorization and audit first.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
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
        app.MapStorageEndpoints();
        app.MapComputeEndpoints(options.Region);
        app.MapNetworkEndpoints(options.Region);
        app.MapSecurityGroupEndpoints(options.Region);
        app.MapElasticIpEndpoints(options.Region);
        app.MapNetworkInterfaceEndpoints(options.Region);
        app.MapNatGatewayEndpoints(options.Region);
    }
}
