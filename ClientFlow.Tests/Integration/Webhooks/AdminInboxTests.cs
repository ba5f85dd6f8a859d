using System.Net;
using ClientFlow.Tests.Infrastructure;

namespace ClientFlow.Tests.Integration.Webhooks;

public sealed class AdminInboxApp : SqliteApp
{
    public const string Secret = "admin-inbox-secret";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Systeme:WebhookSecret"] = Secret };
}

/// <summary>/Admin/Inbox shows admins every stored event and what it did; IBs cannot see it.</summary>
public sealed class AdminInboxTests(AdminInboxApp fixture) : IClassFixture<AdminInboxApp>
{
    [Fact]
    public async Task Admin_SeesRejectedAndIgnoredEvents_IbGets404()
    {
        var app = fixture.App;
        var ib = await app.SeedIbAsync("inbox@ib.test", "Inbox IB");
        await PostSignedAsync(app, "CONTACT_TAG_ADDED", "m-ignored", """{"contact":{"id":1,"email":"nobody@example.com"},"tag":{"id":2,"name":"ib-zzzzzzzz-vip"}}""");
        var malformed = await PostSignedAsync(app, "CONTACT_CREATED", "m-bad", "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, malformed);

        using var admin = app.CreatePageClient();
        await admin.LogInOrFailAsync(ClientFlowAppFactory.AdminEmail);
        await Eventually.HoldsAsync(
            async () => (await admin.GetDocumentAsync("/Admin/Inbox")).QuerySelector("[data-testid=inbox-count-ignored]")?.TextContent.Trim() == "Ignored: 1",
            "the unknown prefix is processed as ignored");
        var page = await admin.GetDocumentAsync("/Admin/Inbox");
        Assert.Equal(2, page.QuerySelectorAll("[data-testid=inbox-row]").Length);
        Assert.Contains("carries no known IB prefix", page.Body?.TextContent, StringComparison.Ordinal);
        Assert.Contains("Malformed JSON", page.Body?.TextContent, StringComparison.Ordinal);

        using var client = app.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("/Admin/Inbox", TestContext.Current.CancellationToken)).StatusCode);
    }

    private static Task<HttpStatusCode> PostSignedAsync(ClientFlowAppFactory app, string eventType, string messageId, string json) =>
        SignedWebhooks.PostAsync(app, AdminInboxApp.Secret, eventType, messageId, json);
}
