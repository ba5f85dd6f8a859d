using System.Net;
using ClientFlow.Automation.Notifications;
using ClientFlow.Automation.Workflows;

namespace ClientFlow.Tests.Unit.Notifications;

/// <summary>Webhook targets outside Development must be public addresses; publishing says so before anything is sent.</summary>
public sealed class TargetGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.9")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void IsPublic_False_ForPrivateLoopbackAndLinkLocal(string address) =>
        Assert.False(TargetGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void IsPublic_True_ForPublicAddresses(string address) =>
        Assert.True(TargetGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("http://[::1]/hook")]
    public void Publish_RefusesPrivateWebhookTargets_OutsideDevelopment(string url)
    {
        var definition = new WorkflowDefinition(new WorkflowTrigger(TriggerKind.Manual, null), [new NotifyStep(NotifyChannel.Webhook, url, "Lead {{ email }}")]);

        Assert.Contains(PublishCheck.Problems(definition, new Dictionary<Guid, string>(), allowPrivateTargets: false), p => p.Contains("private or loopback", StringComparison.Ordinal));
        Assert.Empty(PublishCheck.Problems(definition, new Dictionary<Guid, string>(), allowPrivateTargets: true));
    }

    [Theory]
    [InlineData("ftp://example.com/x")]
    [InlineData("not a url")]
    public void Publish_RefusesWhatIsNotAnHttpUrl(string url)
    {
        var definition = new WorkflowDefinition(new WorkflowTrigger(TriggerKind.Manual, null), [new NotifyStep(NotifyChannel.Webhook, url, "x")]);
        Assert.Contains(PublishCheck.Problems(definition, new Dictionary<Guid, string>(), allowPrivateTargets: true), p => p.Contains("absolute http(s) URL", StringComparison.Ordinal));
    }
}
