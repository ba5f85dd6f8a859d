using Serilog.AspNetCore;
using Serilog.Events;

namespace ClientFlow.Web.Hosting;

/// <summary>
/// One Serilog line per request, with the secrets some paths carry taken out: a tracking or unsubscribe token
/// (<c>/t/o/{token}</c>, <c>/t/c/{token}</c>, <c>/u/{token}</c>) acts for its lead and an IB's workflow-webhook token
/// (<c>/webhooks/systeme/t/{token}</c>) posts events as that IB, so a log reader must not be able to replay them. Any
/// route value named <c>token</c> is written as <c>***</c>; query strings are never logged.
/// </summary>
public static class RequestLogging
{
    public const string Redacted = "***";

    private const string TokenRouteValue = "token";

    public static void Configure(RequestLoggingOptions options, Serilog.ILogger logger)
    {
        options.Logger = logger;
        options.GetMessageTemplateProperties = (context, _, elapsed, status) =>
        [
            new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
            new LogEventProperty("RequestPath", new ScalarValue(PathOf(context))),
            new LogEventProperty("StatusCode", new ScalarValue(status)),
            new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
        ];
    }

    /// <summary>The request's path with the value of its <c>token</c> route value, if any, replaced.</summary>
    public static string PathOf(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        return context.Request.RouteValues.TryGetValue(TokenRouteValue, out var token) && token is string { Length: > 0 } secret
            ? path.Replace(secret, Redacted, StringComparison.Ordinal)
            : path;
    }
}
