using System.Diagnostics;
using System.Net;
using System.Text;
using ClientFlow.Automation.Leads;
using ClientFlow.Automation.Leads.Import;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Leads;

/// <summary>CSV import on /Leads: a background job, progress, each rejected row with its reason, the lead limit, and 100,000 rows.</summary>
public sealed class CsvImportTests(OfflineCaptureApp fixture) : IClassFixture<OfflineCaptureApp>
{
    [Fact]
    public async Task Upload_ImportsValidRows_AndReportsEachRejectedRowWithItsReason()
    {
        var ib = await fixture.App.SeedIbAsync("csv@ib.test", "CSV IB", "existing@example.com");
        var csv = """"
            Email,Name,Phone,IB Type,Monthly Leads,Broker Network
            first@example.com,First Lead,+1 555 0101,forex-ib,500+,IC Markets
            "quoted@example.com","Last, First",,crypto-affiliate,100-499,"Broker ""X"""
            not-an-email,Bad Email,,,,
            volume@example.com,Bad Volume,,,lots,
            existing@example.com,Already Mine,,,,

            first@example.com,Repeated,,,,
            ,No Email,,,,
            """";

        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var importPage = await UploadAsync(client, "leads.csv", csv);
        var done = await WaitForImportAsync(client, importPage);

        Assert.Equal("Completed", done.QuerySelector("[data-testid=import-status]")?.TextContent);
        Assert.Equal("2", done.QuerySelector("[data-testid=import-imported]")?.TextContent);
        Assert.Equal("2", done.QuerySelector("[data-testid=import-existing]")?.TextContent);
        Assert.Equal("3", done.QuerySelector("[data-testid=import-rejected]")?.TextContent);
        var rejections = done.QuerySelectorAll("[data-testid=import-rejection]").Select(r => r.Children.Select(c => c.TextContent).ToArray()).ToList();
        Assert.Equal(["4", "5", "9"], rejections.Select(r => r[0]));
        Assert.Contains("not a valid email", rejections[0][2], StringComparison.Ordinal);
        Assert.Contains("Monthly leads", rejections[1][2], StringComparison.Ordinal);
        Assert.Contains("Email is required", rejections[2][2], StringComparison.Ordinal);

        var leads = await fixture.App.LeadsOfAsync(ib.TenantId);
        var quoted = leads.Single(l => l.Email == "quoted@example.com");
        Assert.Equal(("Last, First", "Broker \"X\"", LeadSource.Import), (quoted.Name, quoted.BrokerNetwork, quoted.Source));
        Assert.Equal(["crypto-affiliate", "demo-request", "medium-volume"], quoted.Tags.Select(t => t.Slug).Order());
        Assert.Equal(3, leads.Count);
    }

    [Fact]
    public async Task Upload_SemicolonSeparated_WithoutOptionalColumns_Works()
    {
        var ib = await fixture.App.SeedIbAsync("csv-semi@ib.test", "CSV Semi IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var done = await WaitForImportAsync(client, await UploadAsync(client, "semi.csv", "email;name\r\na@example.com;A\r\nb@example.com;B\r\n"));

        Assert.Equal("2", done.QuerySelector("[data-testid=import-imported]")?.TextContent);
    }

    [Fact]
    public async Task Upload_TabSeparated_WithAByteOrderMark_AndLineBreaksInQuotes_ReportsEachRowOnItsLine()
    {
        var ib = await fixture.App.SeedIbAsync("csv-tab@ib.test", "CSV Tab IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var csv = "\uFEFFEmail\tName\n\"multi@example.com\"\t\"First line\nsecond line\"\nbroken\tBad\nlast@example.com\tLast\n";

        var done = await WaitForImportAsync(client, await UploadAsync(client, "tabs.tsv", csv));

        // The quoted name spans lines 2 and 3 (one row, refused for the line break in a name), so the next bad row is
        // reported on line 4, where it is in the file, and "second line" never becomes a row of its own.
        Assert.Equal(("1", "2"), (done.QuerySelector("[data-testid=import-imported]")?.TextContent, done.QuerySelector("[data-testid=import-rejected]")?.TextContent));
        var rejections = done.QuerySelectorAll("[data-testid=import-rejection]").Select(r => r.Children.Select(c => c.TextContent).ToArray()).ToList();
        Assert.Equal([("2", "multi@example.com"), ("4", "broken")], rejections.Select(r => (r[0], r[1])));
        Assert.Contains("control characters", rejections[0][2], StringComparison.Ordinal);
        Assert.Equal("last@example.com", Assert.Single(await fixture.App.LeadsOfAsync(ib.TenantId)).Email);
    }

    [Fact]
    public async Task Upload_WithoutAnEmailColumn_FailsWithAClearMessage()
    {
        var ib = await fixture.App.SeedIbAsync("csv-noemail@ib.test", "CSV No Email IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);

        var done = await WaitForImportAsync(client, await UploadAsync(client, "bad.csv", "name,phone\nA,1\n"));

        Assert.Equal("Failed", done.QuerySelector("[data-testid=import-status]")?.TextContent);
        Assert.Contains("'email' column", done.QuerySelector("[role=alert]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_BeyondTheLeadLimit_RejectsTheRowsOverIt()
    {
        var ib = await fixture.App.SeedIbAsync("csv-limit@ib.test", "CSV Limit IB");
        await fixture.App.SetMaxLeadsAsync(ib.TenantId, 3);
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var rows = string.Join("\n", Enumerable.Range(1, 5).Select(i => $"limit{i}@example.com"));

        var done = await WaitForImportAsync(client, await UploadAsync(client, "limit.csv", "email\n" + rows));

        Assert.Equal("3", done.QuerySelector("[data-testid=import-imported]")?.TextContent);
        Assert.Equal("2", done.QuerySelector("[data-testid=import-rejected]")?.TextContent);
        Assert.All(done.QuerySelectorAll("[data-testid=import-rejection]"), r => Assert.Contains("lead limit", r.TextContent, StringComparison.Ordinal));
        Assert.Equal(3, (await fixture.App.LeadsOfAsync(ib.TenantId)).Count);
    }

    [Fact]
    public async Task Upload_WithNoFile_ShowsAFieldError()
    {
        var ib = await fixture.App.SeedIbAsync("csv-nofile@ib.test", "CSV No File IB");
        using var client = fixture.App.CreatePageClient();
        await client.LogInOrFailAsync(ib.Email);
        var page = await client.GetDocumentAsync("/Leads");
        var token = page.QuerySelector("form[action*='Import'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var content = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        using var response = await client.Http.PostAsync("/Leads?handler=Import", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Choose a CSV file", (await PageClient.ParseAsync(response)).QuerySelector("[data-valmsg-for=file]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_OfAHundredThousandRows_ImportsThemAll()
    {
        const int rows = 100_000;
        var ib = await fixture.App.SeedIbAsync("csv-big@ib.test", "CSV Big IB");
        await fixture.App.SetMaxLeadsAsync(ib.TenantId, rows);
        var csv = new StringBuilder("email,name,ib_type,monthly_leads\n");
        string[] volumes = ["<100", "100-499", "500+"];
        for (var i = 0; i < rows; i++)
        {
            csv.Append("lead").Append(i).Append("@big.example.com,Lead ").Append(i).Append(",forex-ib,").Append(volumes[i % 3]).Append('\n');
        }

        var stopwatch = Stopwatch.StartNew();
        Guid importId;
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var import = await scope.ServiceProvider.GetRequiredService<LeadImports>()
                .StartAsync(ib.TenantId, "big.csv", Encoding.UTF8.GetBytes(csv.ToString()), ConsentBasis, TestContext.Current.CancellationToken);
            importId = import.Id;
        }

        LeadImport? state = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                state = await fixture.App.AsTenantAsync(ib.TenantId, db => db.LeadImports.AsNoTracking().SingleAsync(i => i.Id == importId, TestContext.Current.CancellationToken));
                return state.Status is LeadImportStatus.Completed or LeadImportStatus.Failed;
            },
            "the 100,000-row import to finish",
            TimeSpan.FromMinutes(8));
        stopwatch.Stop();
        TestContext.Current.SendDiagnosticMessage($"Imported {rows:N0} rows in {stopwatch.Elapsed.TotalSeconds:0.0} s ({rows / stopwatch.Elapsed.TotalSeconds:0} rows/s)");

        Assert.Equal(LeadImportStatus.Completed, state!.Status);
        Assert.Equal((rows, rows, 0), (state.ProcessedRows, state.ImportedRows, state.RejectedRows));
        Assert.Null(state.Content);
        Assert.Equal(rows, await fixture.App.AsTenantAsync(ib.TenantId, db => db.Leads.CountAsync(TestContext.Current.CancellationToken)));
        Assert.Equal(rows * 3, await fixture.App.AsTenantAsync(ib.TenantId, db => db.LeadTags.CountAsync(TestContext.Current.CancellationToken)));
    }

    private const string ConsentBasis = "Signed up at my March webinar";

    private static async Task<string> UploadAsync(PageClient client, string fileName, string csv)
    {
        var page = await client.GetDocumentAsync("/Leads");
        var token = page.QuerySelector("form[action*='Import'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", fileName },
            { new StringContent(ConsentBasis), "consentBasis" },
        };

        using var response = await client.Http.PostAsync("/Leads?handler=Import", content, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, (await PageClient.ParseAsync(response)).QuerySelector("main")?.TextContent);
        return response.Headers.Location!.OriginalString;
    }

    private static async Task<AngleSharp.Dom.IDocument> WaitForImportAsync(PageClient client, string url)
    {
        AngleSharp.Dom.IDocument page = null!;
        await Eventually.HoldsAsync(
            async () =>
            {
                page = await client.GetDocumentAsync(url);
                return page.QuerySelector("[data-testid=import-status]")?.TextContent is "Completed" or "Failed";
            },
            $"import at {url} to finish");
        return page;
    }
}
