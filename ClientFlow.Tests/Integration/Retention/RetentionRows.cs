using ClientFlow.Automation.Email;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Retention;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Retention;

/// <summary>
/// Rows in the states the product leaves them, with whatever age a test needs, written straight to the tables;
/// and one pass of the pruner, as the recurring job runs it.
/// </summary>
public static class RetentionRows
{
    public const string HtmlBody = "<p>Hello <a href=\"https://broker.example/kept\">there</a></p>";

    public const string TextBody = "Hello there: https://broker.example/kept";

    /// <summary>A message with its id already set, so a delivery row can point at it before either is saved.</summary>
    public static EmailMessage Email(EmailStatus status, DateTimeOffset createdAt, DateTimeOffset? sentAt = null, string? textBody = TextBody) => new()
    {
        Id = Guid.CreateVersion7(),
        Token = EmailTracking.NewToken(),
        To = "reader@example.com",
        Subject = $"A {status} message",
        HtmlBody = HtmlBody,
        TextBody = textBody,
        LinksJson = """["https://broker.example/kept"]""",
        Channel = EmailChannelKind.Outbox,
        Status = status,
        CreatedAt = createdAt,
        SentAt = sentAt,
    };

    /// <summary>
    /// A Systeme.io sync row (the app runs offline in tests, so the outbox sweep never hands one out), or the
    /// delivery row of <paramref name="emailMessageId"/>. Due far ahead, so no sweep takes a pending one.
    /// </summary>
    public static OutboundOperation Operation(OutboundStatus status, DateTimeOffset createdAt, DateTimeOffset? completedAt, Guid? emailMessageId = null) => new()
    {
        Kind = emailMessageId is null ? OutboundKind.SystemeLeadSync : OutboundKind.EmailDelivery,
        EmailMessageId = emailMessageId,
        Status = status,
        CreatedAt = createdAt,
        NextAttemptAt = createdAt + TimeSpan.FromDays(3650),
        CompletedAt = completedAt,
    };

    /// <summary>An inbound event; due far ahead, so the inbox sweep never hands out a pending one.</summary>
    public static InboundEvent Event(InboundStatus status, DateTimeOffset receivedAt, DateTimeOffset? processedAt, Guid? tenantId = null) => new()
    {
        Source = InboundSource.SystemeService,
        MessageId = $"retention-{Guid.NewGuid():N}",
        EventType = "CONTACT_CREATED",
        TenantId = tenantId,
        Body = "{}",
        Status = status,
        ReceivedAt = receivedAt,
        NextAttemptAt = receivedAt + TimeSpan.FromDays(3650),
        ProcessedAt = processedAt,
    };

    /// <summary>Saves the rows in the tenant's scope, which stamps the tenant-owned ones with it.</summary>
    public static Task AddRowsAsync(this ClientFlowAppFactory app, Guid tenantId, params object[] rows) =>
        app.AsTenantAsync(tenantId, db =>
        {
            db.AddRange(rows);
            return db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });

    /// <summary>One pass of the pruner in its own scope, as <c>RetentionJob</c> runs it.</summary>
    public static async Task<RetentionResult> PruneAsync(this ClientFlowAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RetentionPruner>().RunAsync(TestContext.Current.CancellationToken);
    }
}
