using System.Net;
using System.Security.Cryptography;
using System.Text;
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

    private static async Task<HttpStatusCode> PostSignedAsync(ClientFlowAppFactory app, string eventType, string messageId, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/systeme") { Content = content };
        request.Headers.Add("X-Webhook-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AdminInboxApp.Secret), body)));
        request.Headers.Add("X-Webhook-Event", eventType);
        request.Headers.Add("X-Webhook-Message-Id", messageId);
        using var response = await app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
