using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>Posts to <c>/webhooks/systeme</c> the way Systeme.io's webhook service does: signed with the shared secret.</summary>
public static class SignedWebhooks
{
    public static async Task<HttpStatusCode> PostAsync(ClientFlowAppFactory app, string secret, string eventType, string messageId, string json)
    {
        using var request = Request(secret, eventType, messageId, json);
        using var response = await app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>The delivery: hex HMAC-SHA256 of the raw body with the secret, the event and a message id in headers.</summary>
    public static HttpRequestMessage Request(string secret, string eventType, string messageId, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/systeme") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Webhook-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        request.Headers.Add("X-Webhook-Event", eventType);
        request.Headers.Add("X-Webhook-Message-Id", messageId);
        return request;
    }
}
