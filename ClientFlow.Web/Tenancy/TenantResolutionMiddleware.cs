using ClientFlow.Automation.Tenancy;
using Serilog.Context;

namespace ClientFlow.Web.Tenancy;

/// <summary>Enters the signed-in IB's tenant for the rest of the request, and tags its log lines.</summary>
public sealed class TenantResolutionMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, TenantScope tenantScope)
    {
        if (context.User.GetTenantId() is not { } tenantId)
        {
            await next(context);
            return;
        }

        using (tenantScope.Enter(tenantId))
        using (LogContext.PushProperty("TenantId", tenantId))
        {
            await next(context);
        }
    }
}
