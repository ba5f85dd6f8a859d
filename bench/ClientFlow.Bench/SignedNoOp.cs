using ClientFlow.Automation.Webhooks;
using ClientFlow.Web.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ClientFlow.Bench;

/// <summary>
/// The ingest figure's baseline, as the issue defines it: the same host answering a signed no-op. <c>POST
/// /bench/signed-noop</c> reads the body, checks its signature as the webhook endpoint does and answers 202, storing
/// nothing. It runs ahead of the app's middleware, so the baseline is the host's ceiling, not a fair share of it.
/// </summary>
public sealed class SignedNoOp : IStartupFilter
{
    public const string Path = "/bench/signed-noop";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.Equals(Path, StringComparison.Ordinal))
            {
                await nextMiddleware(context);
                return;
            }

            var body = await RequestBody.ReadLimitedAsync(context.Request, InboundEvent.MaxBodyBytes, context.RequestAborted);
            context.Response.StatusCode = body is not null && WebhookSignature.IsValid(BenchApp.WebhookSecret, body, context.Request.Headers["X-Webhook-Signature"])
                ? StatusCodes.Status202Accepted
                : StatusCodes.Status401Unauthorized;
        });
        next(app);
    };
}
