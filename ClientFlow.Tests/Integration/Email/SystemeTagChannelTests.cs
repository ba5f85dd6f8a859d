using ClientFlow.Automation.Email;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using ClientFlow.Tests.Infrastructure.Systeme;

namespace ClientFlow.Tests.Integration.Email;

/// <summary>The app on the Systeme.io tag channel, synced to the Systeme.io emulator.</summary>
public sealed class SystemeTagApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public SystemeEmulator Emulator { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Emulator = await SystemeEmulator.StartAsync();
        App = new ClientFlowAppFactory(_database, settings: new Dictionary<string, string?>
        {
            ["Email:Channel"] = "SystemeTag",
            ["Systeme:BaseUrl"] = Emulator.BaseUrl.ToString(),
            ["Systeme:ApiKey"] = SystemeEmulator.ApiKey,
            ["Systeme:MaxRequestsPerSecond"] = "50",
        });
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Emulator.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>A send on the Systeme.io tag channel puts {prefix}email-{template} and {prefix}email-sent on the contact, so a Systeme.io rule can send it.</summary>
public sealed class SystemeTagChannelTests(SystemeTagApp fixture) : IClassFixture<SystemeTagApp>
{
    [Fact]
    public async Task Send_TagsTheContactWithTheTemplateTagAndEmailSent_UnderThePrefix()
    {
        var app = fixture.App;
        var ib = await app.SeedIbAsync("tagchannel@ib.test", "Tag Channel IB");
        var template = await app.CreateTemplateAsync(ib.TenantId, "Welcome Email!", "Welcome", "<p>Hi</p>");
        await app.PublishWorkflowAsync(ib.TenantId, "Tag sends", new WorkflowTrigger(TriggerKind.LeadCaptured, null), [new SendEmailStep(template.Id)]);
        await app.CaptureAsync(ib.TenantId, new LeadInput { Email = "tagged@example.com" });

        var expected = new[] { $"{ib.TagPrefix}email-welcome-email", $"{ib.TagPrefix}email-sent", $"{ib.TagPrefix}demo-request" };
        await Eventually.HoldsAsync(
            () => Task.FromResult(fixture.Emulator.ContactByEmail("tagged@example.com") is { } contact && expected.All(fixture.Emulator.TagNamesOf(contact).Contains)),
            "the contact carries the template tag and email-sent");

        var message = Assert.Single(await app.MessagesOfAsync(ib.TenantId));
        Assert.Equal(EmailChannelKind.SystemeTag, message.Channel);
        Assert.Equal(EmailStatus.Sent, message.Status);
        Assert.DoesNotContain(fixture.Emulator.TagNamesOf(fixture.Emulator.ContactByEmail("tagged@example.com")!), t => !t.StartsWith(ib.TagPrefix, StringComparison.Ordinal));
    }
}
