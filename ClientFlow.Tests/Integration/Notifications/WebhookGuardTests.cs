using System.Net;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Outbox;
using ClientFlow.Automation.Workflows;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Integration.Notifications;

/// <summary>The app as production runs it: private webhook targets off (the default), and a receiver on loopback.</summary>
public sealed class GuardedApp : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public HookReceiver Receiver { get; private set; } = null!;

    public ClientFlowAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Receiver = await HookReceiver.StartAsync();
        App = new ClientFlowAppFactory(_database);
        await App.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>
/// With private targets off, a webhook whose host name resolves to this machine passes publishing (it is a name) and
/// is refused when the connection is made, for good, with the reason; the receiver behind it hears nothing.
/// </summary>
public sealed class WebhookGuardTests(GuardedApp fixture) : IClassFixture<GuardedApp>
{
    [Fact]
    public async Task AHostNameThatResolvesToThisMachine_IsRefusedAtConnect_AndNothingArrives()
    {
        var name = await InsideNameAsync();
        var port = new Uri(fixture.Receiver.BaseUrl).Port;
        var app = fixture.App;
        var ib = await app.SeedIbAsync("guard@notify.test", "Guard IB");
        await app.PublishWorkflowAsync(ib.TenantId, "Hook", new WorkflowTrigger(TriggerKind.LeadCaptured, null),
            [new NotifyStep(NotifyChannel.Webhook, $"http://{name}:{port}/hooks/inside", "Lead {{ email }}")]);

        await app.CaptureAsync(ib.TenantId, new LeadInput { Email = "guarded@example.com" });

        OutboundOperation? webhook = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                webhook = await app.AsTenantAsync(ib.TenantId, db => db.OutboundOperations.AsNoTracking()
                    .SingleOrDefaultAsync(o => o.Kind == OutboundKind.NotifyWebhook, TestContext.Current.CancellationToken));
                return webhook?.Status is OutboundStatus.Failed or OutboundStatus.DeadLettered;
            },
            "the webhook is refused for good");
        Assert.Equal(1, webhook!.Attempts);
        Assert.Contains("private or loopback", webhook.LastError, StringComparison.Ordinal);
        Assert.Contains(name, webhook.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Receiver.Received, r => r.PathAndQuery == "/hooks/inside");
    }

    /// <summary>
    /// A name other than "localhost" (which publishing already refuses) that resolves to this machine: its own host
    /// name, which /etc/hosts maps to a loopback address (127.0.1.1 on Debian, with the interfaces' addresses in a VM)
    /// or, in a container, to the container's private address; else Debian's IPv6 loopback names.
    /// </summary>
    private static async Task<string> InsideNameAsync()
    {
        foreach (var candidate in new[] { Dns.GetHostName(), "ip6-localhost", "ip6-loopback" })
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(candidate, TestContext.Current.CancellationToken);
                var inside = addresses.Any(IPAddress.IsLoopback) || (addresses.Length > 0 && addresses.All(IsPrivateV4));
                if (inside && !new Uri($"http://{candidate}/").IsLoopback)
                {
                    return candidate;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Not known here; try the next.
            }
        }

        Assert.Fail("No host name on this machine resolves to a loopback or private address; the guard cannot be shown against one.");
        return string.Empty;
    }

    private static bool IsPrivateV4(IPAddress address)
    {
        var b = address.MapToIPv4().GetAddressBytes();
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168));
    }
}
