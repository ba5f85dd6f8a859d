using System.Security.Cryptography;
using System.Text;
using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Email;

/// <summary>The platform-wide suppression list (<see cref="Suppression"/>): add an address, ask about one.</summary>
public sealed class Suppressions(ClientFlowDbContext db, TimeProvider clock)
{
    public const int MaxDetailLength = 500;

#pragma warning disable CA1308 // Addresses are compared lowercased everywhere in ClientFlow (LeadInputRules); the hash must agree.
    public static string HashOf(string address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address.Trim().ToLowerInvariant())));
#pragma warning restore CA1308

    /// <summary>Suppresses the address for every IB; an address already suppressed keeps its first reason.</summary>
    public async Task AddAsync(string address, SuppressionReason reason, string detail, CancellationToken cancellationToken)
    {
        var hash = HashOf(address);
        if (await db.Suppressions.AnyAsync(s => s.AddressHash == hash, cancellationToken))
        {
            return;
        }

        db.Suppressions.Add(new Suppression
        {
            AddressHash = hash,
            Reason = reason,
            Detail = detail.Length > MaxDetailLength ? detail[..MaxDetailLength] : detail,
            CreatedAt = clock.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (db.IsLostRace(ex))
        {
            // Suppressed at the same moment by another send or event: the first reason stands.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The address's suppression, or null when mail may go to it.</summary>
    public Task<Suppression?> FindAsync(string address, CancellationToken cancellationToken)
    {
        var hash = HashOf(address);
        return db.Suppressions.AsNoTracking().SingleOrDefaultAsync(s => s.AddressHash == hash, cancellationToken);
    }

    /// <summary>Why the address gets no mail, for a message's reason.</summary>
    public static string Describe(Suppression suppression) => suppression.Reason switch
    {
        SuppressionReason.HardBounce => $"The address bounced ({suppression.Detail}) on {suppression.CreatedAt:yyyy-MM-dd}: no IB's email goes to it.",
        SuppressionReason.Complaint => $"The reader marked ClientFlow email as spam on {suppression.CreatedAt:yyyy-MM-dd}: no IB's email goes to it.",
        _ => $"The reader asked to stop all email from this service on {suppression.CreatedAt:yyyy-MM-dd}.",
    };
}
