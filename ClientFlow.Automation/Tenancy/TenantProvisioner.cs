using System.Security.Cryptography;
using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// Creates tenants with a unique tag prefix. Uniqueness rests on the unique index on
/// <see cref="Tenant.TagPrefix"/>, not on a check before insert: a collision is caught and retried
/// with a fresh prefix.
/// </summary>
public sealed partial class TenantProvisioner(
    ClientFlowDbContext db,
    ITagPrefixGenerator prefixes,
    TimeProvider clock,
    ILogger<TenantProvisioner> logger)
{
    public const int MaxAttempts = 5;

    public async Task<Tenant> CreateAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var tenant = new Tenant
            {
                Name = name.Trim(),
                TagPrefix = prefixes.NewPrefix(),
                FormKey = FormKeys.Generate(),
                NotificationSecret = RandomNumberGenerator.GetHexString(64, lowercase: true),
                CreatedAt = clock.GetUtcNow(),
            };
            if (!TagPrefix.IsValid(tenant.TagPrefix))
            {
                throw new InvalidOperationException($"The prefix generator produced an invalid prefix '{tenant.TagPrefix}'.");
            }

            db.Tenants.Add(tenant);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return tenant;
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                db.Entry(tenant).State = EntityState.Detached;
                LogPrefixCollision(tenant.TagPrefix, attempt);
            }
        }

        throw new InvalidOperationException($"Could not allocate a unique tag prefix in {MaxAttempts} attempts.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tag prefix {TagPrefix} is taken (attempt {Attempt}); drawing another")]
    private partial void LogPrefixCollision(string tagPrefix, int attempt);
}
