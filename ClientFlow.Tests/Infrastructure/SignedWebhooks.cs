using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>Posts to <c>/webhooks/systeme</c> the way Systeme.io's webhook service does: signed with the shared secret.</summary>
public static class SignedWebhooks
{
    public static async Task<HttpStatusCode> PostAsync(ClientFlowAppFactory app, string secret, string eventType, string messageId, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/systeme") { Content = content };
        request.Headers.Add("X-Webhook-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        request.Headers.Add("X-Webhook-Event", eventType);
        request.Headers.Add("X-Webhook-Message-Id", messageId);
        using var response = await app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
