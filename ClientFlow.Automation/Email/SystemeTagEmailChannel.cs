using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Email;

/// <summary>
/// Systeme.io sends: a workflow send adds <c>{prefix}email-{template}</c> to the contact (through
/// the tag layer and the outbox), and a Systeme.io rule on that tag sends the email written there.
/// Tests and notifications to the IB have no contact to tag: they stay on /Outbox.
/// </summary>
public sealed class SystemeTagEmailChannel(ClientFlowDbContext db, LeadTagging tagging) : IEmailChannel
{
    public bool IsExternal => false;

    public static string TagFor(string templateName) => "email-" + Templates.TemplateSlug.From(templateName);

    public async Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind != EmailKind.Workflow || message.LeadId is null || message.TemplateName is null)
        {
            return;
        }

        var lead = await db.Leads.Include(l => l.Tags).SingleAsync(l => l.Id == message.LeadId, cancellationToken);
        await tagging.AddAsync(lead, [TagFor(message.TemplateName)], cancellationToken);
    }
}
