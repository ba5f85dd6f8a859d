using ClientFlow.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddClientFlowWeb();

var app = builder.Build();
app.UseClientFlow();
app.MapClientFlow();

await app.InitializeClientFlowAsync();
await app.RunAsync();

/// <summary>The entry point; public so tests can host the real app with WebApplicationFactory.</summary>
public partial class Program;
