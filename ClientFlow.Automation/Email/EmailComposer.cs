using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Email;

/// <summary>
/// Turns a template and a lead into an <see cref="EmailMessage"/>: rendered in the sandbox, links
/// tracked, an open pixel, the IB's risk warning at the body's font size, and a footer with the IB's name, postal
/// address and unsubscribe link.
/// </summary>
public sealed class EmailComposer(
    ClientFlowDbContext db,
    SandboxedRenderer renderer,
    IOptions<EmailOptions> email,
    IOptions<PublicUrlOptions> urls,
    TimeProvider clock)
{
    /// <summary>A workflow send to a lead. Throws <see cref="TemplateRenderException"/> when the template cannot render.</summary>
    public async Task<EmailMessage> ComposeAsync(EmailTemplate template, Lead lead, CancellationToken cancellationToken)
    {
        var sender = await SenderAsync(lead.TenantId, cancellationToken);
        var token = EmailTracking.NewToken();
        var origin = urls.Value.Origin;
        // Tracked: /r/{token}.{connection} records the click on this message and redirects to the broker with the lead's ref.
        var links = (await ConnectionsAsync(template, cancellationToken)).ToDictionary(c => c.Name, c => EmailTracking.ReferralUrl(origin, token, c.Id), StringComparer.Ordinal);
        var model = TemplateModel.For(lead, sender.Name, sender.Email, EmailTracking.UnsubscribeUrl(origin, token), links);
        return Build(template, model, sender, lead.Email, token, EmailKind.Workflow, tracked: true);
    }

    /// <summary>"Send me a test": the sample lead or one of the IB's leads, to the IB.</summary>
    public async Task<EmailMessage> ComposeTestAsync(EmailTemplate template, Lead? lead, CancellationToken cancellationToken)
    {
        var sender = await SenderAsync(template.TenantId, cancellationToken);
        var token = EmailTracking.NewToken();
        var unsubscribe = EmailTracking.UnsubscribeUrl(urls.Value.Origin, token);
        var links = await DirectLinksAsync(template, lead, cancellationToken);
        var model = lead is null ? TemplateModel.Sample(sender.Name, sender.Email, unsubscribe, links) : TemplateModel.For(lead, sender.Name, sender.Email, unsubscribe, links);
        var message = Build(template, model, sender, sender.LoginEmail, token, EmailKind.Test, tracked: false);
        message.Subject = "[Test] " + message.Subject;
        return message;
    }

    /// <summary>A preview of what the lead (or the sample lead) would get, untracked.</summary>
    public async Task<(string Subject, string Html, string? Text)> PreviewAsync(EmailTemplate template, Lead? lead, CancellationToken cancellationToken)
    {
        var sender = await SenderAsync(template.TenantId, cancellationToken);
        var unsubscribe = EmailTracking.UnsubscribeUrl(urls.Value.Origin, "preview");
        var links = await DirectLinksAsync(template, lead, cancellationToken);
        var model = lead is null ? TemplateModel.Sample(sender.Name, sender.Email, unsubscribe, links) : TemplateModel.For(lead, sender.Name, sender.Email, unsubscribe, links);
        var message = Build(template, model, sender, model.Email, "preview", EmailKind.Test, tracked: false);
        return (message.Subject, message.HtmlBody, message.TextBody);
    }

    /// <summary>A notify step's email to the IB (or the address the step names).</summary>
    public async Task<EmailMessage> ComposeNotificationAsync(Guid tenantId, string? to, string subject, string text, CancellationToken cancellationToken)
    {
        var sender = await SenderAsync(tenantId, cancellationToken);
        return new EmailMessage
        {
            Kind = EmailKind.Notification,
            Token = EmailTracking.NewToken(),
            To = string.IsNullOrWhiteSpace(to) ? sender.LoginEmail : to,
            Subject = subject,
            HtmlBody = $"<p>{WebUtility.HtmlEncode(text).ReplaceLineEndings("<br>")}</p>",
            TextBody = text,
            FromName = "ClientFlow",
            Channel = email.Value.Channel,
            CreatedAt = clock.GetUtcNow(),
        };
    }

    private EmailMessage Build(EmailTemplate template, TemplateModel model, Sender sender, string to, string token, EmailKind kind, bool tracked)
    {
        var origin = urls.Value.Origin;
        var subject = renderer.Render(template.Subject, model, TemplateFormat.Subject);
        var html = renderer.Render(template.HtmlBody, model, TemplateFormat.Html);
        // Every email has a text part: the template's, or one read from its HTML (with the links' real addresses).
        var text = template.TextBody is null ? HtmlText.FromHtml(html) : renderer.Render(template.TextBody, model, TemplateFormat.Text);

        var links = "[]";
        if (tracked)
        {
            (html, links) = EmailTracking.RewriteLinks(html, origin, token);
        }

        html += HtmlRiskWarning(sender) + HtmlFooter(sender, model.UnsubscribeUrl);
        if (tracked)
        {
            html += $"""<img src="{EmailTracking.OpenUrl(origin, token)}" width="1" height="1" alt="" style="display:block;border:0">""";
        }

        text += TextRiskWarning(sender) + TextFooter(sender, model.UnsubscribeUrl);

        return new EmailMessage
        {
            Kind = kind,
            Token = token,
            To = to,
            Subject = subject,
            HtmlBody = html,
            TextBody = text,
            LinksJson = links,
            TemplateId = template.Id,
            TemplateName = template.Name,
            FromName = sender.Name,
            ReplyTo = sender.Email,
            Channel = email.Value.Channel,
            CreatedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>Above the footer, in the body's own font size (ESMA and the FCA ask for no smaller), set apart by a border.</summary>
    private static string HtmlRiskWarning(Sender sender) => sender.RiskWarning is null
        ? string.Empty
        : $"""<p class="risk-warning" style="border:1px solid #999;padding:8px 12px;margin:24px 0 0">{WebUtility.HtmlEncode(sender.RiskWarning).ReplaceLineEndings("<br>")}</p>""";

    private static string TextRiskWarning(Sender sender) => sender.RiskWarning is null ? string.Empty : $"\n\n{sender.RiskWarning}";

    private static string HtmlFooter(Sender sender, string unsubscribeUrl)
    {
        var address = string.IsNullOrWhiteSpace(sender.PostalAddress) ? string.Empty : $"<br>{WebUtility.HtmlEncode(sender.PostalAddress).ReplaceLineEndings(", ")}";
        return $"""<hr style="border:0;border-top:1px solid #ddd;margin:24px 0 8px"><p style="font-size:12px;color:#666">Sent by {WebUtility.HtmlEncode(sender.Name)}{address}<br><a href="{WebUtility.HtmlEncode(unsubscribeUrl)}">Unsubscribe</a></p>""";
    }

    private static string TextFooter(Sender sender, string unsubscribeUrl)
    {
        var address = string.IsNullOrWhiteSpace(sender.PostalAddress) ? string.Empty : $"\n{sender.PostalAddress.ReplaceLineEndings(", ")}";
        return $"\n\n--\nSent by {sender.Name}{address}\nUnsubscribe: {unsubscribeUrl}\n";
    }

    /// <summary>The IB's broker connections, read only for a template that writes a referral link (most sends do not).</summary>
    private async Task<List<Conversions.BrokerConnection>> ConnectionsAsync(EmailTemplate template, CancellationToken cancellationToken) =>
        new[] { template.Subject, template.HtmlBody, template.TextBody }.Any(field => field?.Contains("referral_link", StringComparison.Ordinal) == true)
            ? await db.BrokerConnections.AsNoTracking().ToListAsync(cancellationToken)
            : [];

    /// <summary>A test or preview: the broker's own link with the lead's ref (or the sample's), not tracked.</summary>
    private async Task<Dictionary<string, string>> DirectLinksAsync(EmailTemplate template, Lead? lead, CancellationToken cancellationToken) =>
        (await ConnectionsAsync(template, cancellationToken)).ToDictionary(c => c.Name, c => EmailTracking.BrokerLink(c.ReferralLink, lead?.Ref ?? "sample-ref"), StringComparer.Ordinal);

    private async Task<Sender> SenderAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken);
        var login = await db.Users.Where(u => u.TenantId == tenantId).OrderBy(u => u.Email).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken) ?? string.Empty;
        return new Sender(
            string.IsNullOrWhiteSpace(tenant.SenderName) ? tenant.Name : tenant.SenderName,
            string.IsNullOrWhiteSpace(tenant.ReplyTo) ? login : tenant.ReplyTo,
            login,
            tenant.PostalAddress,
            RiskWarnings.TextOf(tenant));
    }

    private sealed record Sender(string Name, string Email, string LoginEmail, string? PostalAddress, string? RiskWarning);
}
