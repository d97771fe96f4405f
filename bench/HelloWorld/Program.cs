// The ceiling for bench/api.sh: plain Kestrel answering a constant, built with the same SDK
// and the same hosting defaults as the Nimbus server (slim builder, no logging on the hot path).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/", () => "hello world");
app.Run();
