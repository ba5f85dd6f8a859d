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
    [InlineData("127.8.9.10")]
    [InlineData("192.0.0.170")]
    [InlineData("198.18.0.1")]
    [InlineData("203.0.113.7")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::127.0.0.1")]                 // IPv4-compatible
    [InlineData("64:ff9b::7f00:1")]             // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe")]          // NAT64 of the metadata address 169.254.169.254
    [InlineData("64:ff9b::c0a8:101")]           // NAT64 of 192.168.1.1
    [InlineData("64:ff9b:1::808:808")]          // a network's own NAT64 (local use)
    [InlineData("2002:7f00:1::1")]              // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::1")]           // 6to4 of 169.254.169.254
    [InlineData("2002:a00:1::1")]               // 6to4 of 10.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo
    [InlineData("fd00:ec2::254")]               // a cloud's IPv6 metadata address (unique local)
    [InlineData("2001:db8::1")]                 // documentation
    [InlineData("ff02::1")]
    public void IsPublic_False_ForPrivateLoopbackAndLinkLocal(string address) =>
        Assert.False(TargetGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]            // NAT64 of 8.8.8.8
    [InlineData("2002:808:808::1")]             // 6to4 of 8.8.8.8
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
