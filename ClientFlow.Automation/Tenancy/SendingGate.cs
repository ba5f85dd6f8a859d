using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Automation.Tenancy;

/// <summary>
/// Whether ClientFlow may send for an IB. Anyone can sign up, and the platform's one sender carries every IB's mail,
/// so nothing is sent for an IB until it has confirmed its login email: no workflow turns ON and "Send me a test" is
/// refused until then. Marketing email must carry the sender's postal address (CAN-SPAM; the footer prints it), so a
/// workflow also needs one to turn ON, and a workflow email is held at delivery while there is none. An IB that promotes
/// forex, CFDs or crypto needs a risk warning too (<see cref="RiskWarnings"/>), and every IB must first say what it promotes.
/// </summary>
public sealed class SendingGate(ClientFlowDbContext db)
{
    public const string Unconfirmed =
        "Confirm your email address first: we sent you a link when you signed up, and Settings can send it again. Nothing is sent for you until then.";

    public const string NoPostalAddress =
        "Add your postal address in Settings first: every marketing email carries it in its footer, as anti-spam law requires.";

    /// <summary>Null when the IB may send anything; else why not.</summary>
    public async Task<string?> RefusalAsync(Guid tenantId, CancellationToken cancellationToken) =>
        await db.Users.AnyAsync(u => u.TenantId == tenantId && u.EmailConfirmed, cancellationToken) ? null : Unconfirmed;

    /// <summary>Null when the IB may turn a workflow ON (send marketing email); else why not.</summary>
    public async Task<string?> MarketingRefusalAsync(Guid tenantId, CancellationToken cancellationToken) =>
        await RefusalAsync(tenantId, cancellationToken)
        ?? (await HasPostalAddressAsync(tenantId, cancellationToken) ? null : NoPostalAddress)
        ?? RiskWarnings.RefusalFor(await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken));

    /// <summary>
    /// The IB's own confirmed addresses (its logins'): the only ones a notify step may email, so a workflow cannot turn
    /// the platform's sender on strangers (a notification per lead, multiplied by bulk enrolment).
    /// </summary>
    public async Task<IReadOnlyList<string>> OwnAddressesAsync(Guid tenantId, CancellationToken cancellationToken) =>
        await db.Users.Where(u => u.TenantId == tenantId && u.EmailConfirmed && u.Email != null).Select(u => u.Email!).ToListAsync(cancellationToken);

    public static bool IsOwn(IReadOnlyList<string> own, string address) =>
        own.Any(a => string.Equals(a, address.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The mobile numbers the IB's logins confirmed with a code (/Settings): the only ones a notify step may text.</summary>
    public async Task<IReadOnlyList<string>> OwnNumbersAsync(Guid tenantId, CancellationToken cancellationToken) =>
        await db.Users.Where(u => u.TenantId == tenantId && u.PhoneNumberConfirmed && u.PhoneNumber != null).Select(u => u.PhoneNumber!).ToListAsync(cancellationToken);

    public async Task<Workflows.OwnTargets> OwnTargetsAsync(Guid tenantId, CancellationToken cancellationToken) =>
        new(await OwnAddressesAsync(tenantId, cancellationToken), await OwnNumbersAsync(tenantId, cancellationToken));

    public static bool IsOwnNumber(IReadOnlyList<string> own, string? number) =>
        number is not null && own.Any(n => string.Equals(n, number.Trim(), StringComparison.Ordinal));

    public Task<bool> HasPostalAddressAsync(Guid tenantId, CancellationToken cancellationToken) =>
        db.Tenants.AnyAsync(t => t.Id == tenantId && t.PostalAddress != null && t.PostalAddress != string.Empty, cancellationToken);
}
