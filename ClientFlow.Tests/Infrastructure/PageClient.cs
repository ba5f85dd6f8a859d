using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>An HTTP client that uses pages the way a browser does: cookies, forms, antiforgery tokens.</summary>
public sealed class PageClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public async Task<IDocument> GetDocumentAsync(string url)
    {
        using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ParseAsync(response);
    }

    public static async Task<IDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var context = BrowsingContext.New(Configuration.Default);
        return await context.OpenAsync(r => r.Content(html), TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Loads <paramref name="pageUrl"/>, fills the form matched by <paramref name="formSelector"/> and submits it to its action,
    /// or to <paramref name="action"/> (what a button's <c>formaction</c> does).
    /// </summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string pageUrl, IReadOnlyDictionary<string, string> fields, string formSelector = "main form", string? action = null)
    {
        var page = await GetDocumentAsync(pageUrl);
        var form = page.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"No form '{formSelector}' on {pageUrl}.");
        var values = new Dictionary<string, string>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden]"))
        {
            values[input.Name!] = input.Value;
        }

        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        action ??= string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        return await http.PostAsync(action, new FormUrlEncodedContent(values), TestContext.Current.CancellationToken);
    }

    public async Task<HttpResponseMessage> LogInAsync(string email, string password) =>
        await SubmitFormAsync("/Identity/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }, "form#account");

    public async Task LogInOrFailAsync(string email, string password = ClientFlowAppFactory.Password)
    {
        using var response = await LogInAsync(email, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Login of {email} answered {(int)response.StatusCode}, not a redirect.");
    }

    public void Dispose() => http.Dispose();
}
