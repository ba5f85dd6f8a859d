using Microsoft.Playwright;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium for Playwright (Playwright's own browser download is not used). Missing
/// Chromium skips browser tests locally and fails them when <c>CLIENTFLOW_REQUIRE_BROWSER=true</c> (CI).
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";
    public const string RequireVariable = "CLIENTFLOW_REQUIRE_BROWSER";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            var message = $"No browser at {ExecutablePath}: apt-get install chromium (README, 'Tests').";
            if (string.Equals(Environment.GetEnvironmentVariable(RequireVariable), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(message + $" {RequireVariable} is true, so this is a failure.");
            }

            Assert.Skip(message);
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }
}
