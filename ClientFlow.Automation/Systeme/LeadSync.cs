using System.Net;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// Brings one lead to Systeme.io: the contact (by its known id; else found by email, else created; a
/// 422 on <c>email</c> means it exists), its fields, and every prefixed tag not yet on the contact.
/// Every step is idempotent, and the outbox runs one conversation per lead at a time
/// (<see cref="SystemeConversations"/>), so a second sync sees what the first assigned and adds
/// nothing twice.
/// </summary>
public sealed class LeadSync(
    ClientFlowDbContext db,
    ISystemeClient client,
    SystemeTagCache tagIds,
    IOptions<SystemeOptions> options,
    TimeProvider clock)
{
    /// <summary>Runs inside the lead's tenant scope. Changes are saved by the caller.</summary>
    public async Task<Lead?> SyncAsync(Guid leadId, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.Include(l => l.Tags).SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken);
        if (lead is null)
        {
            return null;
        }

        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == lead.TenantId, cancellationToken);
        var fields = Fields(lead, tenant.Id, tenant.TagPrefix);
        var known = lead.SystemeContactId is { } contactId ? await client.GetContactAsync(contactId, cancellationToken) : null;
        var contact = known is null ? await EnsureContactAsync(lead, fields, cancellationToken) : await FillFieldsAsync(known, fields, cancellationToken);
        lead.SystemeContactId = contact.Id;

        var onContact = contact.Tags?.Select(t => t.Id).ToHashSet() ?? [];
        foreach (var tag in lead.Tags.Where(t => t.SyncedAt is null))
        {
            var name = TagSlug.Qualify(tenant.TagPrefix, tag.Slug);
            var tagId = await tagIds.GetOrCreateIdAsync(client, name, cancellationToken);
            if (!onContact.Contains(tagId))
            {
                try
                {
                    await client.AssignTagAsync(contact.Id, tagId, cancellationToken);
                }
                catch (SystemeApiException ex) when (ex.Status == HttpStatusCode.UnprocessableEntity && ex.HasViolationOn("tagId"))
                {
                    // Deleted in Systeme.io since we cached it: resolve again.
                    tagIds.Forget(name);
                    tagId = await tagIds.GetOrCreateIdAsync(client, name, cancellationToken);
                    await client.AssignTagAsync(contact.Id, tagId, cancellationToken);
                }

                onContact.Add(tagId);
            }

            tag.SyncedAt = clock.GetUtcNow();
        }

        lead.SyncState = LeadSyncState.Synced;
        lead.SyncError = null;
        lead.SystemeSyncedAt = clock.GetUtcNow();
        return lead;
    }

    /// <summary>Takes one prefixed tag off the lead's contact; nothing to do when the contact or the tag does not exist there.</summary>
    public async Task RemoveTagAsync(Guid leadId, string slug, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.AsNoTracking().SingleOrDefaultAsync(l => l.Id == leadId, cancellationToken);
        if (lead is null)
        {
            return;
        }

        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == lead.TenantId, cancellationToken);
        var contactId = lead.SystemeContactId ?? (await client.FindContactByEmailAsync(lead.Email, cancellationToken))?.Id;
        var tag = contactId is null ? null : await client.FindTagAsync(TagSlug.Qualify(tenant.TagPrefix, slug), cancellationToken);
        if (contactId is { } id && tag is not null)
        {
            await client.RemoveTagAsync(id, tag.Id, cancellationToken);
        }
    }

    /// <summary>
    /// Takes every tag carrying the erased lead's IB prefix off its contact. The contact itself stays: other IBs (and the
    /// Systeme.io account's own funnels) may hold it.
    /// </summary>
    public async Task EraseAsync(SystemeErasure erasure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        var contact = erasure.ContactId is { } id
            ? await client.GetContactAsync(id, cancellationToken)
            : erasure.Email is { } email ? await client.FindContactByEmailAsync(email, cancellationToken) : null;
        foreach (var tag in contact?.Tags?.Where(t => t.Name.StartsWith(erasure.Prefix, StringComparison.Ordinal)) ?? [])
        {
            await client.RemoveTagAsync(contact!.Id, tag.Id, cancellationToken);
        }
    }

    private async Task<SystemeContact> EnsureContactAsync(Lead lead, IReadOnlyList<SystemeContactField> fields, CancellationToken cancellationToken)
    {
        var existing = await client.FindContactByEmailAsync(lead.Email, cancellationToken);
        if (existing is null)
        {
            try
            {
                return await client.CreateContactAsync(lead.Email, fields, cancellationToken);
            }
            catch (SystemeApiException ex) when (ex.Status == HttpStatusCode.UnprocessableEntity && ex.HasViolationOn("email"))
            {
                // Created meanwhile (another IB, another node, a retried request): it exists, use it.
                existing = await client.FindContactByEmailAsync(lead.Email, cancellationToken);
                if (existing is null)
                {
                    throw;
                }
            }
        }

        return await FillFieldsAsync(existing, fields, cancellationToken);
    }

    /// <summary>One contact can belong to several IBs: fill what is empty, never overwrite another IB's values.</summary>
    private async Task<SystemeContact> FillFieldsAsync(SystemeContact contact, IReadOnlyList<SystemeContactField> fields, CancellationToken cancellationToken)
    {
        var missing = fields.Where(f => string.IsNullOrEmpty(contact.FieldValue(f.Slug))).ToList();
        return missing.Count == 0 ? contact : await client.UpdateContactFieldsAsync(contact.Id, missing, cancellationToken);
    }

    private List<SystemeContactField> Fields(Lead lead, Guid tenantId, string tagPrefix)
    {
        var settings = options.Value;
        var fields = new List<SystemeContactField>();
        if (lead.Name is { } name)
        {
            var parts = name.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            fields.Add(new SystemeContactField("first_name", parts[0]));
            if (parts.Length > 1)
            {
                fields.Add(new SystemeContactField("surname", parts[1]));
            }
        }

        if (lead.Phone is { } phone)
        {
            fields.Add(new SystemeContactField("phone_number", phone));
        }

        fields.Add(new SystemeContactField(settings.OwnerIdFieldSlug, tenantId.ToString()));
        fields.Add(new SystemeContactField(settings.PrefixFieldSlug, tagPrefix));
        return fields;
    }
}
