using System.Net;
using System.Text;
using System.Text.Json;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Leads;
using ClientFlow.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Integration.Hosting;

/// <summary>The app whose database refuses to save a lead with <see cref="FailingEmail"/>, as a database that fails would.</summary>
public sealed class ErrorHandlingApp : SqliteApp
{
    public const string FailingEmail = "db-fails@example.com";

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<SqliteClientFlowDbContext>(o => o.AddInterceptors(new FailingSave()));

    private sealed class FailingSave : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            eventData.Context!.ChangeTracker.Entries<Lead>().Any(e => e.Entity.Email == FailingEmail)
                ? throw new InvalidOperationException("The test database fails.")
                : base.SavingChangesAsync(eventData, result, cancellationToken);
    }
}

/// <summary>
/// An unhandled failure: a person gets the error page whatever the method (a form's POST fails too), an API client
/// problem+json; neither sees the exception.
/// </summary>
public sealed class ErrorHandlingTests(ErrorHandlingApp fixture) : IClassFixture<ErrorHandlingApp>
{
    [Fact]
    public async Task AFormPostThatFails_ShowsThePersonTheErrorPage()
    {
        var ib = await fixture.App.SeedIbAsync("form-fails@errors.test", "Form Fails");
        using var client = fixture.App.CreatePageClient();
        client.Http.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml");

        using var response = await client.SubmitFormAsync($"/f/{ib.FormKey}", Leads.HostedFormTests.Fields(ErrorHandlingApp.FailingEmail));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await PageClient.ParseAsync(response);
        Assert.Equal("Something went wrong", page.QuerySelector("h1")?.TextContent.Trim());
        Assert.DoesNotContain("The test database fails", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApiRequestThatFails_GetsProblemJson()
    {
        var ib = await fixture.App.SeedIbAsync("api-fails@errors.test", "API Fails");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { email = ErrorHandlingApp.FailingEmail }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", ib.ApiKey);
        using var response = await fixture.App.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("The test database fails", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
