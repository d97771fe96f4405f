using Nimbus.Server.Hosting;

// Socket completions run on the socket engine's epoll threads instead of being queued to the thread pool
// (read once, when the first socket is made: so before anything else). With Kestrel's inline scheduling an
// object GET runs start to end on the thread that saw its request arrive, as in nginx's event loop: no thread
// hand-off per request (see NimbusHost.StartAsync for what it saved and what may run there). An operator who sets
// the variable (to 0) keeps the runtime's default.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

NimbusServerOptions options;
try
{
    var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
    options = OptionsLoader.Load(args, environment);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync("nimbus up: " + ex.Message);
    return 2;
}

using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
NimbusHost host;
try
{
    host = await NimbusHost.StartAsync(options, startup.Token);
}
catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    // Kestrel's message names the address that is taken (the API's or the S3 port).
    await Console.Error.WriteLineAsync($"nimbus up: {ex.Message.TrimEnd('.')}. Is Nimbus already running? Pick other ports with --api-port and --s3-port.");
    return 1;
}

await using (host)
{
    Console.WriteLine($"Nimbus is up.");
    Console.WriteLine($"  API endpoint:       {host.Endpoint.ToString().TrimEnd('/')}");
    Console.WriteLine($"  S3 endpoint:        {host.S3Endpoint.ToString().TrimEnd('/')}  (region {options.Region}, path style, or virtual-host style as <bucket>.{options.S3Domain})");
    Console.WriteLine($"  Admin credentials:  {host.CredentialsPath}");
    Console.WriteLine($"  Data directory:     {options.DataDirectory}");
    Console.WriteLine($"Configure the CLI with: ./nimbus configure --from-bootstrap {options.DataDirectory}");
    Console.WriteLine("Press Ctrl-C to stop.");
    await host.WaitForShutdownAsync();
}

Console.WriteLine("Nimbus stopped.");
return 0;
