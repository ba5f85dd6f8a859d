using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Polly.Timeout;

namespace ClientFlow.Automation.Systeme;

/// <summary>Typed client over the real API: <c>X-API-Key</c>, cursor paging, merge-patch, problem+json errors.</summary>
internal sealed class SystemeClient(HttpClient http, SystemeRateLimiter limiter) : ISystemeClient
{
    private const int PageSize = 100;
    private static readonly MediaTypeHeaderValue MergePatch = new("application/merge-patch+json");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<SystemeContact?> FindContactByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var page = await GetAsync<SystemePage<SystemeContact>>($"contacts?email={Uri.EscapeDataString(email)}&limit=10", cancellationToken);
        return page.Items.FirstOrDefault(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase));
    }

    public async Task<SystemeContact?> GetContactAsync(long contactId, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"contacts/{contactId}", null, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync<SystemeContact>(response, cancellationToken);
    }

    public Task<SystemeContact> CreateContactAsync(string email, IReadOnlyList<SystemeContactField> fields, CancellationToken cancellationToken) =>
        SendAsync<SystemeContact>(HttpMethod.Post, "contacts", JsonContent.Create(new { email, fields }, options: Json), cancellationToken);

    public Task<SystemeContact> UpdateContactFieldsAsync(long contactId, IReadOnlyList<SystemeContactField> fields, CancellationToken cancellationToken) =>
        SendAsync<SystemeContact>(HttpMethod.Patch, $"contacts/{contactId}", JsonContent.Create(new { fields }, MergePatch, Json), cancellationToken);

    public async Task<SystemeTag?> FindTagAsync(string name, CancellationToken cancellationToken)
    {
        var wanted = name.Trim();
        return (await SearchTagsAsync(wanted, cancellationToken)).FirstOrDefault(t => string.Equals(t.Name.Trim(), wanted, StringComparison.OrdinalIgnoreCase));
    }

    public async Task<IReadOnlyList<SystemeTag>> SearchTagsAsync(string query, CancellationToken cancellationToken)
    {
        var tags = new List<SystemeTag>();
        long? after = null;
        while (true)
        {
            var path = $"tags?query={Uri.EscapeDataString(query)}&limit={PageSize}" + (after is null ? string.Empty : $"&startingAfter={after}");
            var page = await GetAsync<SystemePage<SystemeTag>>(path, cancellationToken);
            tags.AddRange(page.Items);
            if (!page.HasMore || page.Items.Count == 0)
            {
                return tags;
            }

            after = page.Items[^1].Id;
        }
    }

    public async Task<SystemeContactPage> ListContactsWithTagAsync(long tagId, long? startingAfter, CancellationToken cancellationToken)
    {
        // One tag id per query: with several, whether a contact needs all of them or any is not documented.
        var path = $"contacts?tags={tagId}&limit={PageSize}" + (startingAfter is null ? string.Empty : $"&startingAfter={startingAfter}");
        var page = await GetAsync<SystemePage<SystemeContact>>(path, cancellationToken);
        return new SystemeContactPage(page.Items, page.HasMore);
    }

    public Task<SystemeTag> CreateTagAsync(string name, CancellationToken cancellationToken) =>
        SendAsync<SystemeTag>(HttpMethod.Post, "tags", JsonContent.Create(new { name }, options: Json), cancellationToken);

    public async Task AssignTagAsync(long contactId, long tagId, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Post, $"contacts/{contactId}/tags", JsonContent.Create(new { tagId }, options: Json), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task RemoveTagAsync(long contactId, long tagId, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"contacts/{contactId}/tags/{tagId}", null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response, cancellationToken);
        }
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>The one way out: every attempt timed out (the resilience pipeline's timeout) is a 408, which the outbox retries later.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new SystemeApiException(HttpStatusCode.RequestTimeout, $"No answer within {ex.Timeout.TotalSeconds:0} s.", []);
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new SystemeApiException(response.StatusCode, "Empty response body.", []);
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var (detail, violations) = ParseProblem(body);
        var retryAfter = response.StatusCode == HttpStatusCode.TooManyRequests ? limiter.RetryDelay(response) : null;
        throw new SystemeApiException(response.StatusCode, detail ?? response.ReasonPhrase ?? "No detail.", violations, retryAfter);
    }

    /// <summary>problem+json: <c>detail</c>, then the first violation's message, then <c>message</c>.</summary>
    internal static (string? Detail, IReadOnlyList<SystemeViolation> Violations) ParseProblem(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, []);
            }

            var violations = root.TryGetProperty("violations", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray()
                    .Where(v => v.ValueKind == JsonValueKind.Object)
                    .Select(v => new SystemeViolation(Text(v, "propertyPath") ?? string.Empty, Text(v, "message") ?? string.Empty))
                    .ToList()
                : [];
            var detail = Text(root, "detail") ?? violations.FirstOrDefault()?.Message ?? Text(root, "message") ?? Text(root, "title");
            return (detail, violations);
        }
        catch (JsonException)
        {
            return (body.Length > 200 ? body[..200] : body, []);
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
