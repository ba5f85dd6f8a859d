using ClientFlow.Automation.Auditing;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Templates;
using ClientFlow.Automation.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Workflows;

/// <summary>
/// "For IB #2: clone workflows, update prefix" (seed). The starter pack is the templates and workflows of the one
/// account an admin marks as the pack (<see cref="Tenant.IsStarterPack"/>): admins keep it with the product's own
/// editors. Every new IB gets a copy at sign-up, and an admin can give it to an existing IB. A copy is the IB's own:
/// new rows with no reference to the pack's, templates renamed only on a clash, workflows published and OFF with their
/// template references pointed at the copies, and tags as the bare slugs they already are, so the IB's prefix applies.
/// The pack is read inside <see cref="TenantScope.Inspect"/>: copying can never change it.
/// </summary>
public sealed class StarterPacks(ClientFlowDbContext db, TenantScope tenantScope, EmailTemplates templates, WorkflowEditor editor, TimeProvider clock)
{
    /// <summary>Makes <paramref name="tenantId"/>'s templates and workflows the starter pack (the one before stops being it).</summary>
    public async Task<bool> SetSourceAsync(string actorUserId, Guid tenantId, CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Tenants.Where(t => t.IsStarterPack && t.Id != tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsStarterPack, false), cancellationToken);
        await db.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.IsStarterPack, true), cancellationToken);
        db.AuditEntries.Add(new AuditEntry { At = clock.GetUtcNow(), ActorUserId = actorUserId, Action = "admin.starter-pack.set", TenantId = tenantId });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>An admin gives the pack to an existing IB, audited.</summary>
    public async Task<StarterPackCopy?> GiveAsync(string actorUserId, Guid tenantId, CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return null;
        }

        var copy = await CopyToAsync(tenantId, cancellationToken);
        db.AuditEntries.Add(new AuditEntry { At = clock.GetUtcNow(), ActorUserId = actorUserId, Action = "admin.starter-pack.given", TenantId = tenantId, Detail = copy.Summary });
        await db.SaveChangesAsync(cancellationToken);
        return copy;
    }

    /// <summary>Copies the pack into <paramref name="tenantId"/>; nothing when no pack is set or the IB is the pack itself.</summary>
    public async Task<StarterPackCopy> CopyToAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var source = await db.Tenants.Where(t => t.IsStarterPack).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(cancellationToken);
        if (source is null || source == tenantId)
        {
            return StarterPackCopy.Nothing;
        }

        List<TemplateInput> packTemplates;
        List<(Guid Id, string Name)> packTemplateIds;
        List<(string Name, WorkflowDefinition Definition)> packWorkflows;
        using (tenantScope.Inspect(source.Value))
        {
            var rows = await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
            packTemplates = rows.Select(t => new TemplateInput(t.Name, t.Subject, t.HtmlBody, t.TextBody)).ToList();
            packTemplateIds = rows.Select(t => (t.Id, t.Name)).ToList();
            var workflows = await db.Workflows.AsNoTracking().OrderBy(w => w.Name).ToListAsync(cancellationToken);
            var versionIds = workflows.Where(w => w.PublishedVersionId != null).Select(w => w.PublishedVersionId!.Value).ToList();
            var published = await db.WorkflowVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Definition, cancellationToken);
            packWorkflows = workflows.Select(w => (w.Name, w.PublishedVersionId is { } id && published.TryGetValue(id, out var definition) ? definition : w.Draft)).ToList();
        }

        var skipped = new List<string>();
        var copies = new Dictionary<Guid, Guid>();
        using (tenantScope.Enter(tenantId))
        {
            var names = (await templates.ListAsync(cancellationToken)).Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < packTemplates.Count; i++)
            {
                var input = packTemplates[i] with { Name = Unclashed(packTemplates[i].Name!, names, Templates.EmailTemplate.MaxNameLength) };
                var saved = await templates.SaveAsync(null, input, cancellationToken);
                if (saved?.Template is { } template)
                {
                    copies[packTemplateIds[i].Id] = template.Id;
                    names.Add(template.Name);
                }
                else
                {
                    skipped.Add($"template \"{packTemplateIds[i].Name}\" ({(saved?.LimitReached == true ? "template limit reached" : string.Join("; ", saved?.Errors ?? []))})");
                }
            }

            var workflowNames = (await editor.ListAsync(cancellationToken)).Select(w => w.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var workflowCount = 0;
            foreach (var (name, definition) in packWorkflows)
            {
                if (Remap(definition.Steps, copies) is not { } steps)
                {
                    skipped.Add($"workflow \"{name}\" (one of its templates was not copied)");
                    continue;
                }

                var (workflow, error) = await editor.CreateAsync(Unclashed(name, workflowNames, Workflow.MaxNameLength), definition with { Steps = steps }, cancellationToken);
                if (workflow is null)
                {
                    skipped.Add($"workflow \"{name}\" ({error})");
                    continue;
                }

                workflowNames.Add(workflow.Name);
                workflowCount++;
                if (await editor.PublishAsync(workflow, cancellationToken) is [var problem, ..])
                {
                    skipped.Add($"workflow \"{name}\" copied as a draft ({problem})");
                }
            }

            return new StarterPackCopy(copies.Count, workflowCount, skipped);
        }
    }

    /// <summary>The steps with every template reference pointed at its copy; null when a referenced template has none.</summary>
    private static List<WorkflowStep>? Remap(IReadOnlyList<WorkflowStep> steps, IReadOnlyDictionary<Guid, Guid> copies)
    {
        var remapped = new List<WorkflowStep>(steps.Count);
        foreach (var step in steps)
        {
            WorkflowStep? copy = step switch
            {
                SendEmailStep send => copies.TryGetValue(send.TemplateId, out var id) ? new SendEmailStep(id) : null,
                ConditionStep condition => Remap(condition, copies),
                _ => step,
            };
            if (copy is null)
            {
                return null;
            }

            remapped.Add(copy);
        }

        return remapped;
    }

    private static ConditionStep? Remap(ConditionStep condition, IReadOnlyDictionary<Guid, Guid> copies)
    {
        WorkflowCondition? test = condition.Condition switch
        {
            OpenedCondition { TemplateId: { } id } => copies.TryGetValue(id, out var copy) ? new OpenedCondition(copy) : null,
            ClickedCondition { TemplateId: { } id } => copies.TryGetValue(id, out var copy) ? new ClickedCondition(copy) : null,
            var other => other,
        };
        return test is not null && Remap(condition.Then, copies) is { } then && Remap(condition.Else, copies) is { } otherwise
            ? condition with { Condition = test, Then = then, Else = otherwise }
            : null;
    }

    /// <summary>The name, or "name (starter pack)", "name (starter pack 2)"… when the IB already has one by that name.</summary>
    private static string Unclashed(string name, HashSet<string> taken, int maxLength)
    {
        var candidate = name;
        for (var n = 1; taken.Contains(candidate); n++)
        {
            var suffix = n == 1 ? " (starter pack)" : $" (starter pack {n})";
            candidate = name[..Math.Min(name.Length, maxLength - suffix.Length)] + suffix;
        }

        return candidate;
    }
}

/// <summary>What a copy of the starter pack made, and what it could not copy (with why).</summary>
public sealed record StarterPackCopy(int Templates, int Workflows, IReadOnlyList<string> Skipped)
{
    public static StarterPackCopy Nothing { get; } = new(0, 0, []);

    public string Summary => $"{Templates} template(s), {Workflows} workflow(s) copied" + (Skipped.Count == 0 ? "." : $"; not copied: {string.Join(", ", Skipped)}.");
}
