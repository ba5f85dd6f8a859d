using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Email;

/// <summary>With <c>Email:Channel=Smtp</c>, a missing setting stops start-up with a message that names it.</summary>
public sealed class SmtpSettingsTests
{
    [Theory]
    [InlineData("Smtp:Host")]
    [InlineData("Smtp:From")]
    [InlineData("App:PublicBaseUrl")]
    public async Task SmtpChannel_StopsStartUp_WhenASettingIsMissing(string missing)
    {
        await using var database = new SqliteTestDatabase();
        var settings = new Dictionary<string, string?>
        {
            ["Email:Channel"] = "Smtp",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:From"] = "noreply@clientflow.test",
            ["App:PublicBaseUrl"] = "http://clientflow.test",
        };
        settings[missing] = "";
        await using var app = new ClientFlowAppFactory(database, settings: settings);

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains($"{missing} must be set when Email:Channel is Smtp", error.ToString(), StringComparison.Ordinal);
    }
}
