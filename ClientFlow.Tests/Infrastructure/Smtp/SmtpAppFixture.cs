namespace ClientFlow.Tests.Infrastructure.Smtp;

/// <summary>
/// A class fixture: the app on the SMTP channel, delivering to an in-process SMTP server over loopback, on its own
/// SQLite file; a subclass adds its settings.
/// </summary>
public abstract class SmtpAppFixture : IAsyncLifetime
{
    public const string From = "noreply@clientflow.test";

    private readonly SqliteTestDatabase _database = new();

    public SmtpTestServer Smtp { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    /// <summary>The public origin of the app's links (<c>App:PublicBaseUrl</c>).</summary>
    protected virtual string PublicOrigin => "http://clientflow.test";

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public async ValueTask InitializeAsync()
    {
        Smtp = SmtpTestServer.Start();
        var settings = Smtp.AppSettings(From, PublicOrigin);
        settings["Smtp:Timeout"] = "00:00:10";
        settings["Outbox:MaxBackoff"] = "00:00:01";
        Configure(settings);
        App = new ClientFlowAppFactory(_database, settings: settings);
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
