using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// "Test the connection" for one IB (the seed's Systeme.io set-up, checked): adds <c>{prefix}clientflow-test</c> to a
/// test contact through the API, waits for Systeme.io's webhook service to report that tag back to ClientFlow (the
/// inbox records it with <see cref="RecordWebhookAsync"/>), removes the tag again, and keeps pass or fail with the
/// reason. It proves the API key, the tag prefix, the webhook service's URL and secret, and the inbox, end to end.
/// </summary>
public sealed class SystemeConnectionCheck(
    ClientFlowDbContext db, TenantScope tenantScope, ISystemeClient systeme, SystemeTagCache tags, IOptions<SystemeOptions> options, TimeProvider clock)
{
    /// <summary>The tag slug of the test; the inbox treats its webhook as the test's answer, never as a lead's tag.</summary>
    public const string TestSlug = "clientflow-test";

    /// <summary>The contact the test tag goes on (example.com: nothing is ever delivered to it).</summary>
    public const string TestContactEmail = "clientflow-connection-test@example.com";

    /// <summary>Records a new test as running (replacing the last one); the caller hands it to its job.</summary>
    public async Task StartAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using (tenantScope.Enter(tenantId))
        {
            var test = await db.SystemeConnectionTests.SingleOrDefaultAsync(cancellationToken);
            if (test is null)
            {
                test = new SystemeConnectionTest { TenantId = tenantId };
                db.SystemeConnectionTests.Add(test);
            }

            test.StartedAt = clock.GetUtcNow();
            test.ContactId = null;
            test.TagAddedAt = test.WebhookAt = test.FinishedAt = null;
            test.Passed = null;
            test.Result = "Running: adding the test tag in Systeme.io.";
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Runs the test started last for the IB.</summary>
    public async Task RunAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var prefix = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.TagPrefix).SingleAsync(cancellationToken);
        using (tenantScope.Enter(tenantId))
        {
            var test = await db.SystemeConnectionTests.SingleOrDefaultAsync(cancellationToken);
            if (test is null || test.FinishedAt is not null)
            {
                return;
            }

            if (options.Value.IsOffline)
            {
                await FinishAsync(test, false, "Systeme.io is offline on this server: Systeme:ApiKey is not set.", cancellationToken);
                return;
            }

            var tagName = TagSlug.Qualify(prefix, TestSlug);
            long? tagId = null;
            try
            {
                var contact = await systeme.FindContactByEmailAsync(TestContactEmail, cancellationToken)
                    ?? await systeme.CreateContactAsync(TestContactEmail, [], cancellationToken);
                tagId = await tags.GetOrCreateIdAsync(systeme, tagName, cancellationToken);
                if (contact.Tags?.Any(t => t.Id == tagId) == true)
                {
                    // Left on by an earlier test that stopped half-way: off first, or adding it would not be a change.
                    await systeme.RemoveTagAsync(contact.Id, tagId.Value, cancellationToken);
                }

                test.ContactId = contact.Id;
                await systeme.AssignTagAsync(contact.Id, tagId.Value, cancellationToken);
                test.TagAddedAt = clock.GetUtcNow();
                test.Result = $"Running: {tagName} added to the test contact; waiting for Systeme.io's webhook.";
                await db.SaveChangesAsync(cancellationToken);

                var webhookAt = await WaitForWebhookAsync(cancellationToken);
                await systeme.RemoveTagAsync(contact.Id, tagId.Value, cancellationToken);
                await FinishAsync(
                    test,
                    webhookAt is not null,
                    webhookAt is { } at
                        ? $"Passed: Systeme.io accepted the API key, {tagName} was added to the test contact and its webhook came back after {(at - test.TagAddedAt.Value).TotalSeconds:0.0} s; the tag was removed again."
                        : $"Failed: {tagName} was added to the test contact, but no webhook came back within {options.Value.ConnectionTestWait.TotalSeconds:0} s. In Systeme.io, Settings → Webhooks needs a webhook to this server's /webhooks/systeme with the event \"Contact tag added\" and the secret set as Systeme:WebhookSecret here.",
                    cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A refused key (401), a prefix Systeme.io will not take (422), an outage: the reason is the result.
                await FinishAsync(test, false, $"Failed: {ex.Message}", cancellationToken);
            }
        }
    }

    /// <summary>The inbox got the test tag's webhook for the IB in scope: true when a test was waiting for it.</summary>
    public async Task<bool> RecordWebhookAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.SystemeConnectionTests
            .Where(t => t.FinishedAt == null && t.TagAddedAt != null && t.WebhookAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.WebhookAt, now), cancellationToken) == 1;
    }

    /// <summary>Polls the test's row (a fresh read each time: another scope, the inbox, writes it).</summary>
    private async Task<DateTimeOffset?> WaitForWebhookAsync(CancellationToken cancellationToken)
    {
        var until = clock.GetUtcNow() + options.Value.ConnectionTestWait;
        while (true)
        {
            var webhookAt = await db.SystemeConnectionTests.AsNoTracking().Select(t => t.WebhookAt).SingleAsync(cancellationToken);
            if (webhookAt is not null || clock.GetUtcNow() >= until)
            {
                return webhookAt;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private async Task FinishAsync(SystemeConnectionTest test, bool passed, string result, CancellationToken cancellationToken)
    {
        // The webhook time is the inbox's; this scope's copy of the row does not have it.
        await db.SystemeConnectionTests.Where(t => t.TenantId == test.TenantId).ExecuteUpdateAsync(
            s => s.SetProperty(t => t.Passed, passed).SetProperty(t => t.Result, result).SetProperty(t => t.FinishedAt, clock.GetUtcNow())
                .SetProperty(t => t.ContactId, test.ContactId).SetProperty(t => t.TagAddedAt, test.TagAddedAt),
            cancellationToken);
    }
}
