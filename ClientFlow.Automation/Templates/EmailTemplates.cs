using ClientFlow.Automation.Data;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Templates;

/// <summary>Creates, edits and deletes the current tenant's templates; refuses what does not compile, fails with the sample lead, or exceeds the limit.</summary>
public sealed class EmailTemplates(ClientFlowDbContext db, ITenantContext tenant, SandboxedRenderer renderer, TimeProvider clock)
{
    public Task<List<EmailTemplate>> ListAsync(CancellationToken cancellationToken) =>
        db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);

    public Task<EmailTemplate?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.EmailTemplates.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);

    /// <summary>Creates when <paramref name="id"/> is null, else updates that template (null result when it is not the tenant's).</summary>
    public async Task<TemplateSaveResult?> SaveAsync(Guid? id, TemplateInput input, CancellationToken cancellationToken)
    {
        var tenantId = tenant.TenantId ?? throw new TenantIsolationException("Saving a template needs a tenant in scope.");
        var errors = Validate(input);
        if (errors.Count == 0)
        {
            // A referral_link must name one of the IB's broker connections: the sample render knows them all.
            var connections = await db.BrokerConnections.Select(c => c.Name).ToListAsync(cancellationToken);
            errors.AddRange(SampleRenderErrors(input, connections));
        }

        EmailTemplate? template = null;
        if (id is { } existingId)
        {
            template = await FindAsync(existingId, cancellationToken);
            if (template is null)
            {
                return null;
            }
        }

        var name = input.Name?.Trim() ?? string.Empty;
        if (name.Length > 0 && await db.EmailTemplates.AnyAsync(t => t.Name == name && t.Id != (id ?? Guid.Empty), cancellationToken))
        {
            errors.Add(new TemplateError(nameof(EmailTemplate.Name), 0, 0, $"You already have a template named '{name}'."));
        }

        if (errors.Count > 0)
        {
            return new TemplateSaveResult(null, errors);
        }

        var now = clock.GetUtcNow();
        if (template is null)
        {
            var max = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.MaxTemplates).SingleAsync(cancellationToken);
            if (await db.EmailTemplates.CountAsync(cancellationToken) >= max)
            {
                return new TemplateSaveResult(null, [new TemplateError(nameof(EmailTemplate.Name), 0, 0, $"You have reached your limit of {max} templates. Delete one to add another.")], LimitReached: true);
            }

            template = new EmailTemplate { Name = name, Subject = input.Subject!, HtmlBody = input.HtmlBody!, CreatedAt = now };
            db.EmailTemplates.Add(template);
        }

        template.Name = name;
        template.Subject = input.Subject!.Trim();
        template.HtmlBody = input.HtmlBody!;
        template.TextBody = string.IsNullOrWhiteSpace(input.TextBody) ? null : input.TextBody;
        template.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return new TemplateSaveResult(template, []);
    }

    /// <summary>The names of the workflows whose draft or published version sends or tests this template.</summary>
    public async Task<IReadOnlyList<string>> UsedByAsync(Guid id, CancellationToken cancellationToken)
    {
        // Definitions are JSON; a template id appears in them only where a step or condition names it.
        var text = id.ToString();
        var published = db.WorkflowVersions.Where(v => v.DefinitionJson.Contains(text)).Select(v => v.Id);
        return await db.Workflows
            .Where(w => w.DraftJson.Contains(text) || published.Contains(w.PublishedVersionId!.Value))
            .OrderBy(w => w.Name)
            .Select(w => w.Name)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Deletes a template no workflow uses. Null when it is not the tenant's; otherwise the workflows that still use it (empty: deleted).</summary>
    public async Task<IReadOnlyList<string>?> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var template = await FindAsync(id, cancellationToken);
        if (template is null)
        {
            return null;
        }

        var users = await UsedByAsync(id, cancellationToken);
        if (users.Count > 0)
        {
            return users;
        }

        db.EmailTemplates.Remove(template);
        await db.SaveChangesAsync(cancellationToken);
        return users;
    }

    /// <summary>Required fields, lengths, and the Scriban check of subject and bodies.</summary>
    public static List<TemplateError> Validate(TemplateInput input)
    {
        var errors = new List<TemplateError>();
        Require(errors, nameof(EmailTemplate.Name), input.Name, EmailTemplate.MaxNameLength);
        Require(errors, TemplateField.Subject, input.Subject, EmailTemplate.MaxSubjectLength);
        Require(errors, TemplateField.HtmlBody, input.HtmlBody, EmailTemplate.MaxBodyLength);
        if (input.TextBody?.Length > EmailTemplate.MaxBodyLength)
        {
            errors.Add(new TemplateError(TemplateField.TextBody, 0, 0, $"Keep it under {EmailTemplate.MaxBodyLength:N0} characters."));
        }

        errors.AddRange(TemplateCompiler.Check(TemplateField.Subject, input.Subject));
        errors.AddRange(TemplateCompiler.Check(TemplateField.HtmlBody, input.HtmlBody));
        errors.AddRange(TemplateCompiler.Check(TemplateField.TextBody, input.TextBody));
        return errors;
    }

    /// <summary>
    /// Renders each field once as the sample lead, so what the syntax check cannot see (a loop over the limit,
    /// a .NET member, a function given the wrong arguments) is refused here rather than failing a run later.
    /// </summary>
    private List<TemplateError> SampleRenderErrors(TemplateInput input, IReadOnlyList<string> connections)
    {
        var model = TemplateModel.Sample("Your business", "you@example.com", "https://example.com/u/sample", connections.ToDictionary(c => c, _ => "https://example.com/r/sample", StringComparer.Ordinal));
        var errors = new List<TemplateError>();
        foreach (var (field, source, format) in new[]
        {
            (TemplateField.Subject, input.Subject, TemplateFormat.Subject),
            (TemplateField.HtmlBody, input.HtmlBody, TemplateFormat.Html),
            (TemplateField.TextBody, input.TextBody, TemplateFormat.Text),
        })
        {
            try
            {
                renderer.Render(source, model, format);
            }
            catch (TemplateRenderException ex)
            {
                errors.Add(new TemplateError(field, ex.Line, ex.Column, $"Fails as the sample lead: {ex.Reason}"));
            }
        }

        return errors;
    }

    private static void Require(List<TemplateError> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new TemplateError(field, 0, 0, "Required."));
        }
        else if (value.Length > maxLength)
        {
            errors.Add(new TemplateError(field, 0, 0, $"Keep it under {maxLength:N0} characters."));
        }
    }
}
