using System.ComponentModel.DataAnnotations;
using ClientFlow.Automation.Conversions;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Webhooks;
using ClientFlow.Web.Hosting;
using ClientFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClientFlow.Web.Pages.Conversions;

/// <summary>
/// The IB's broker connections (referral link, postback URLs with the platform's macros, allowlist), the postbacks that
/// arrived and what became of them, and the unmatched ones to match by hand.
/// </summary>
public sealed class IndexModel(ClientFlowDbContext db, BrokerConnections connections, Postbacks postbacks, IOptions<AppOptions> app) : PageModel
{
    public const int RecentCount = 20;

    public IReadOnlyList<BrokerConnection> Connections { get; private set; } = [];

    public IReadOnlyList<BrokerEvent> Unmatched { get; private set; } = [];

    public IReadOnlyList<InboundEvent> Recent { get; private set; } = [];

    /// <summary>Set only in the response that created or rotated a connection: its postback token, shown this once.</summary>
    public (BrokerConnection Connection, string Token)? Issued { get; private set; }

    public ConnectionInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public string Origin => app.Value.Origin(Request);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync([Bind(Prefix = nameof(Input))] ConnectionInput input, CancellationToken cancellationToken)
    {
        Input = input;
        foreach (var (field, problem) in await connections.ProblemsAsync(null, input.Name, input.Platform, input.ReferralLink, input.AllowedIps, cancellationToken))
        {
            ModelState.AddModelError(field.Length == 0 ? string.Empty : $"{nameof(Input)}.{field}", problem);
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        Issued = await connections.CreateAsync(input.Name!, input.Platform, input.ReferralLink!, input.AllowedIps, cancellationToken);
        return await ShowIssuedAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRotateAsync(Guid id, CancellationToken cancellationToken)
    {
        Issued = await connections.RotateAsync(id, cancellationToken);
        return Issued is null ? NotFound() : await ShowIssuedAsync(cancellationToken);
    }

    /// <summary>Matches an unmatched postback to the lead with this email.</summary>
    public async Task<IActionResult> OnPostMatchAsync(Guid id, string? email, CancellationToken cancellationToken)
    {
        if (!await db.BrokerEvents.AnyAsync(e => e.Id == id && e.LeadId == null, cancellationToken))
        {
            return NotFound();
        }

        var lead = string.IsNullOrWhiteSpace(email) ? null : await postbacks.MatchAsync(id, email, cancellationToken);
        if (lead is null)
        {
            ModelState.AddModelError($"match-{id}", "None of your leads has this email.");
            await LoadAsync(cancellationToken);
            return Page();
        }

        StatusMessage = $"Matched to {lead.Email}: now {lead.Stage}.";
        return RedirectToPage();
    }

    private async Task<IActionResult> ShowIssuedAsync(CancellationToken cancellationToken)
    {
        // No redirect: the token must not travel through a cookie or a URL.
        ModelState.Clear();
        Input = new();
        Response.Headers.CacheControl = "no-store";
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Connections = await db.BrokerConnections.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        Unmatched = await db.BrokerEvents.AsNoTracking().Where(e => e.LeadId == null).OrderByDescending(e => e.ReceivedAt).Take(100).ToListAsync(cancellationToken);
        var tenantId = User.GetTenantId();
        Recent = await db.InboundEvents.AsNoTracking()
            .Where(e => e.Source == InboundSource.BrokerPostback && e.TenantId == tenantId)
            .OrderByDescending(e => e.ReceivedAt)
            .Take(RecentCount)
            .ToListAsync(cancellationToken);
    }

    /// <summary>The "Add a broker connection" form.</summary>
    public sealed class ConnectionInput
    {
        [Display(Name = "Broker")]
        public string? Name { get; set; }

        [Display(Name = "Affiliate platform")]
        public BrokerPlatform Platform { get; set; }

        [Display(Name = "Your referral link")]
        public string? ReferralLink { get; set; }

        [Display(Name = "Allowed addresses (optional)")]
        public string? AllowedIps { get; set; }
    }
}
