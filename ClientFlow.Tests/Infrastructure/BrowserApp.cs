using Microsoft.Playwright;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// The real app on a real port (Kestrel) on its own SQLite file, and Debian's Chromium through Playwright. Every page
/// the test opens is watched for what the browser refused under the app's content security policy and for script
/// errors: a test that saw one fails, since what the policy blocks silently stops working for users.
/// </summary>
public abstract class BrowserApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _browserErrors = new();
    private IPlaywright _playwright = null!;
    private IBrowser? _browser;

    static BrowserApp()
    {
        // Playwright's 5 s default is short for a 2-core CI machine running other suites in parallel;
        // an expectation that never holds still fails, only later. Pages wait up to 60 s for the same reason.
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    protected ClientFlowAppFactory App { get; private set; } = null!;

    protected IBrowser Browser => _browser!;

    public async ValueTask InitializeAsync()
    {
        App = new ClientFlowAppFactory(_database);
        App.UseKestrel(0);
        App.StartServer();
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright.Dispose();
        await App.DisposeAsync();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
        Assert.True(_browserErrors.IsEmpty, $"The browser reported: {string.Join(" | ", _browserErrors)}");
    }

    /// <summary>
    /// Waits for a navigation until the new document is parsed and its scripts have run (DOMContentLoaded), not for
    /// its "load" event: what a test checks next it finds with a web-first assertion that waits for it. Waiting for
    /// "load" timed out in one CI run on a page that had loaded and gone network-idle.
    /// </summary>
    protected static PageWaitForURLOptions DocumentReady => new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    /// <summary>A new page signed in through the login form as <paramref name="email"/>, as a person signs in.</summary>
    protected async Task<IPage> LoggedInPageAsync(string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/Identity/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(ClientFlowAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/Login", StringComparison.Ordinal), DocumentReady);
        return page;
    }

    protected async Task<IPage> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = App.ClientOptions.BaseAddress.ToString() });
        page.SetDefaultTimeout(60_000);
        page.Console += (_, message) =>
        {
            // What the policy blocked, and a script or stylesheet refused (nosniff refuses a wrong or missing MIME type).
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.StartsWith("Refused to", StringComparison.Ordinal)))
            {
                _browserErrors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => _browserErrors.Enqueue(error);
        return page;
    }
}
