using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Notifications;

/// <summary>
/// Delivers notify steps queued in the outbox. Webhooks carry <c>X-ClientFlow-Timestamp</c> and
/// <c>X-ClientFlow-Signature: sha256=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))</c> with the IB's
/// notification secret; SMS go to a Twilio-compatible endpoint. Failures throw <see cref="OutboundException"/>.
/// </summary>
public sealed class NotificationSender(
    ClientFlowDbContext db,
    IHttpClientFactory httpClients,
    IOptions<NotificationOptions> options,
    TimeProvider clock)
{
    /// <summary>The webhook client: no proxy, no redirects, every connection through <see cref="TargetGuard.Connector"/>.</summary>
    public const string HttpClientName = "notifications";

    /// <summary>The SMS provider's client: the operator's configured endpoint, not an IB's, so not guarded.</summary>
    public const string SmsHttpClientName = "sms";
    public const string SignatureHeader = "X-ClientFlow-Signature";
    public const string TimestampHeader = "X-ClientFlow-Timestamp";

    public async Task SendWebhookAsync(OutboundOperation operation, CancellationToken cancellationToken)
    {
        var notification = JsonSerializer.Deserialize<Notification>(operation.Payload!)!;
        var settings = options.Value;
        if (TargetGuard.CheckUrl(notification.Url, settings.AllowPrivateTargets) is { } refusal)
        {
            throw new OutboundException(transient: false, refusal);
        }

        // The address connected to is checked as the connection is made (TargetGuard.Connector, the client's handler).
        var uri = new Uri(notification.Url);
        var secret = await db.Tenants.Where(t => t.Id == operation.TenantId).Select(t => t.NotificationSecret).SingleAsync(cancellationToken) ?? string.Empty;
        var body = JsonSerializer.Serialize(new
        {
            @event = notification.Event,
            workflow = new { id = notification.WorkflowId, name = notification.WorkflowName },
            run_id = notification.RunId,
            lead = new { id = notification.LeadId, email = notification.LeadEmail, name = notification.LeadName },
            message = notification.Message,
            sent_at = clock.GetUtcNow(),
        });
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, "sha256=" + Sign(secret, timestamp, body));
        request.Headers.Add("X-ClientFlow-Delivery", operation.Id.ToString());
        await SendAsync(HttpClientName, request, "Webhook", cancellationToken);
    }

    public Task SendSmsAsync(OutboundOperation operation, CancellationToken cancellationToken) =>
        SendSmsAsync(JsonSerializer.Deserialize<SmsNotification>(operation.Payload!)!, cancellationToken);

    /// <summary>One text message through the operator's SMS account; throws <see cref="OutboundException"/> when it is not accepted.</summary>
    public async Task SendSmsAsync(SmsNotification sms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sms);
        var settings = options.Value;
        if (!settings.SmsConfigured)
        {
            throw new OutboundException(transient: false, "SMS is not configured (Notifications:SmsAccountSid, SmsAuthToken and SmsFrom).");
        }

        var url = $"{settings.SmsBaseUrl.TrimEnd('/')}/Accounts/{Uri.EscapeDataString(settings.SmsAccountSid!)}/Messages.json";
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent([new("To", sms.To), new("From", settings.SmsFrom!), new("Body", sms.Body)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.SmsAccountSid}:{settings.SmsAuthToken}")));
        await SendAsync(SmsHttpClientName, request, "SMS provider", cancellationToken);
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private async Task SendAsync(string client, HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await httpClients.CreateClient(client).SendAsync(request, timeout.Token);
        }
        catch (HttpRequestException ex) when (ex.InnerException is TargetRefusedException refused)
        {
            throw new OutboundException(transient: false, refused.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new OutboundException(transient: true, $"{what} unreachable: {ex.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var transient = status is 408 or 429 or >= 500;
                throw new OutboundException(transient, $"{what} answered {status} {response.ReasonPhrase}");
            }
        }
    }
}
