using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>An HTTP endpoint on loopback that records every request: a webhook target or a Twilio-compatible SMS API.</summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedHook> _received = new();
    private WebApplication _app = null!;

    public string BaseUrl { get; private set; } = null!;

    public IReadOnlyList<ReceivedHook> Received => [.. _received];

    /// <summary>The status every request is answered with.</summary>
    public int Status { get; set; } = StatusCodes.Status200OK;

    public static async Task<HookReceiver> StartAsync()
    {
        var receiver = new HookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver._received.Enqueue(new ReceivedHook(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
            context.Response.StatusCode = receiver.Status;
        });
        await app.StartAsync();
        receiver._app = app;
        receiver.BaseUrl = app.Urls.First();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record ReceivedHook(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
