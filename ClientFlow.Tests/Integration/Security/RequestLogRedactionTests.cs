using ClientFlow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace ClientFlow.Tests.Integration.Security;

public sealed class RequestLogApp : SqliteApp
{
    public TestLogSink Log { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILogEventSink>(Log);
}

/// <summary>The request log names each request's path without the tokens paths carry (tracking, unsubscribe, an IB's workflow webhook).</summary>
public sealed class RequestLogRedactionTests(RequestLogApp fixture) : IClassFixture<RequestLogApp>
{
    [Fact]
    public async Task TokensInPaths_AreNotWrittenToTheLog()
    {
        using var client = fixture.App.CreatePageClient();
        var token = $"secret{Guid.NewGuid():N}";
        var requests = new (HttpMethod Method, string Path, string Logged)[]
        {
            (HttpMethod.Get, $"/t/o/{token}", "/t/o/***"),
            (HttpMethod.Get, $"/t/c/{token}/0", "/t/c/***/0"),
            (HttpMethod.Get, $"/u/{token}", "/u/***"),
            (HttpMethod.Post, $"/webhooks/systeme/t/{token}", "/webhooks/systeme/t/***"),
        };

        foreach (var (method, path, _) in requests)
        {
            using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? new StringContent("{}") : null };
            using var response = await client.Http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        await Eventually.HoldsAsync(
            () => Task.FromResult(requests.All(r => fixture.Log.ValuesOf("RequestPath").Contains(r.Logged))),
            "every request is in the log, its token replaced");
        Assert.DoesNotContain(fixture.Log.Lines, line => line.Contains(token, StringComparison.Ordinal));
    }
}
