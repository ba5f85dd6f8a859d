using ClientFlow.Automation.Data;
using Microsoft.EntityFrameworkCore;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// /Leads search (<see cref="ClientFlowDbContext.LeadsMatching"/>) on either provider: substrings of emails and names in
/// any case, terms with the index's own syntax or SQL wildcards taken literally, short terms, another IB's leads never
/// found, and a renamed or deleted lead found by what it is now (the index follows the rows).
/// </summary>
public static class LeadSearchScenario
{
    public static async Task RunAsync(ClientFlowAppFactory app)
    {
        var ct = TestContext.Current.CancellationToken;
        var john = await app.SeedIbAsync("john@search.test", "John", "zelda.fitzgerald@example.com", "percent%sign@example.com", "under_score@example.com", "quote\"d@example.com", "bo@example.com");
        var sarah = await app.SeedIbAsync("sarah@search.test", "Sarah", "zelda.sarah@example.com");
        await app.AsTenantAsync(john.TenantId, async db =>
        {
            var leads = await db.Leads.ToListAsync(ct);
            leads.Single(l => l.Email == "bo@example.com").Name = "Bo Ånström";
            leads.Single(l => l.Email == "under_score@example.com").Name = "Ursula Underwood";
            return await db.SaveChangesAsync(ct);
        });

        async Task<string[]> SearchAsync(string term) =>
            [.. (await app.AsTenantAsync(john.TenantId, db => db.LeadsMatching(term).Select(l => l.Email).ToListAsync(ct))).Order(StringComparer.Ordinal)];

        Assert.Equal(["zelda.fitzgerald@example.com"], await SearchAsync("FITZ"));
        Assert.Equal(["zelda.fitzgerald@example.com"], await SearchAsync("  zelda "));
        Assert.Equal(["under_score@example.com"], await SearchAsync("underwood"));
        Assert.Equal(["bo@example.com"], await SearchAsync("ånström"));
        Assert.Equal(["percent%sign@example.com"], await SearchAsync("t%s"));
        Assert.Equal(["under_score@example.com"], await SearchAsync("r_s"));
        Assert.Equal(["quote\"d@example.com"], await SearchAsync("e\"d@"));
        Assert.Empty(await SearchAsync("rcent_si"));
        Assert.Empty(await SearchAsync("OR zelda"));
        Assert.Equal(["bo@example.com"], await SearchAsync("bo"));
        Assert.Equal(5, (await SearchAsync("example.com")).Length);

        // Renamed and deleted rows leave the index with them.
        await app.AsTenantAsync(john.TenantId, async db =>
        {
            await db.Leads.Where(l => l.Email == "zelda.fitzgerald@example.com").ExecuteUpdateAsync(s => s.SetProperty(l => l.Name, "Scott"), ct);
            await db.Leads.Where(l => l.Email == "bo@example.com").ExecuteUpdateAsync(s => s.SetProperty(l => l.Email, "renamed@example.com"), ct);
            var deleted = await db.Leads.Where(l => l.Email == "percent%sign@example.com").Select(l => l.Id).SingleAsync(ct);
            await db.LeadTags.Where(t => t.LeadId == deleted).ExecuteDeleteAsync(ct);
            return await db.Leads.Where(l => l.Id == deleted).ExecuteDeleteAsync(ct);
        });
        Assert.Equal(["zelda.fitzgerald@example.com"], await SearchAsync("scott"));
        Assert.Equal(["renamed@example.com"], await SearchAsync("renamed"));
        Assert.Empty(await SearchAsync("bo@exa"));
        Assert.Empty(await SearchAsync("percent"));

        Assert.Equal(["zelda.sarah@example.com"], await app.AsTenantAsync(sarah.TenantId, db => db.LeadsMatching("zelda").Select(l => l.Email).ToListAsync(ct)));
    }
}
