using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClientFlow.Tests.Infrastructure.Systeme;

/// <summary>
/// A Systeme.io public API stand-in served over real HTTP on loopback, behaving as
/// <c>shared/reference/systeme-api.md</c> describes: <c>X-API-Key</c>, integer ids, cursor paging with
/// <c>limit</c> 10-100 and <c>startingAfter</c>, 422 problem+json on a duplicate email, substring tag
/// search, 204 on tag assignment, merge-patch PATCH, rate-limit headers and 429. Faults and delays
/// can be injected; every request is recorded.
/// </summary>
public sealed class SystemeEmulator : IAsyncDisposable
{
    public const string ApiKey = "emulator-secret-key-7f3a";

    private readonly Lock _gate = new();
    private readonly Dictionary<long, EmulatedContact> _contacts = [];
    private readonly Dictionary<long, string> _tags = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly Queue<Fault> _faults = new();
    private readonly List<string> _webhooksSent = [];
    private (Func<string, bool> Matches, int Remaining, int Status)? _failMatching;
    private WebApplication? _app;
    private long _nextId = 1000;
    private int _redundantAssignments;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>
    /// The account's webhook service (Settings → Webhooks): where tag events are posted, and its secret. Null sends
    /// nothing, as an account with no webhook set up. Deliveries go after the API call has answered, as Systeme.io's do.
    /// </summary>
    public Func<HttpRequestMessage, Task>? WebhookSender { get; set; }

    public string? WebhookSecret { get; set; }

    /// <summary>Webhook deliveries made, by event type.</summary>
    public IReadOnlyList<string> WebhooksSent
    {
        get
        {
            lock (_gate)
            {
                return [.. _webhooksSent];
            }
        }
    }

    /// <summary>While true every request answers 503, as during an outage.</summary>
    public bool Down { get; set; }

    /// <summary>Added before every answer.</summary>
    public TimeSpan Delay { get; set; }

    public static async Task<SystemeEmulator> StartAsync()
    {
        var emulator = new SystemeEmulator();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        emulator.Map(app);
        await app.StartAsync();
        emulator._app = app;
        emulator.BaseUrl = new Uri(app.Urls.First() + "/api/");
        return emulator;
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<EmulatedContact> Contacts
    {
        get
        {
            lock (_gate)
            {
                return [.. _contacts.Values.Select(c => c.Copy())];
            }
        }
    }

    /// <summary>Tag assignments the contact already had: work ClientFlow should never repeat.</summary>
    public int RedundantAssignments
    {
        get
        {
            lock (_gate)
            {
                return _redundantAssignments;
            }
        }
    }

    public IReadOnlyDictionary<long, string> Tags
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<long, string>(_tags);
            }
        }
    }

    public EmulatedContact? ContactByEmail(string email) => Contacts.SingleOrDefault(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<string> TagNamesOf(EmulatedContact contact)
    {
        var tags = Tags;
        return contact.TagIds.Select(id => tags[id]).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/>.</summary>
    public void FailNext(int count, int status = StatusCodes.Status503ServiceUnavailable)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue(new Fault(status, null, null));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> requests answer 429 with <c>Retry-After</c> or <c>X-RateLimit-Refill</c>.</summary>
    public void RateLimitNext(int count, int? retryAfterSeconds = 1, string? refill = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue(new Fault(StatusCodes.Status429TooManyRequests, retryAfterSeconds, refill));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> requests whose path and query match answer <paramref name="status"/>.</summary>
    public void FailMatching(Func<string, bool> matches, int count, int status = StatusCodes.Status503ServiceUnavailable)
    {
        lock (_gate)
        {
            _failMatching = (matches, count, status);
        }
    }

    /// <summary>A contact made in Systeme.io itself (by hand, a funnel), carrying the named tags (created when new).</summary>
    public long AddContact(string email, params string[] tagNames)
    {
        var tagIds = tagNames.Select(TagIdOf).ToList();
        lock (_gate)
        {
            var contact = new EmulatedContact { Id = ++_nextId, Email = email };
            contact.TagIds.UnionWith(tagIds);
            _contacts[contact.Id] = contact;
            return contact.Id;
        }
    }

    /// <summary>A tag put on an existing contact in Systeme.io by hand.</summary>
    public void TagContact(long contactId, string tagName)
    {
        var tagId = TagIdOf(tagName);
        lock (_gate)
        {
            _contacts[contactId].TagIds.Add(tagId);
        }
    }

    /// <summary>The tag with this name, created when Systeme.io has none.</summary>
    public long TagIdOf(string name)
    {
        lock (_gate)
        {
            return _tags.FirstOrDefault(t => t.Value == name).Key is var id and > 0 ? id : AddTag(name);
        }
    }

    public long AddTag(string name)
    {
        lock (_gate)
        {
            var id = ++_nextId;
            _tags[id] = name;
            return id;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            context.Items["body"] = body;
            var recorded = new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                TimeProvider.System.GetUtcNow(),
                context.Request.Headers["X-API-Key"].ToString(),
                context.Request.ContentType,
                body);
            Fault? fault;
            lock (_gate)
            {
                _requests.Add(recorded);
                fault = Down ? new Fault(StatusCodes.Status503ServiceUnavailable, null, null) : _faults.TryDequeue(out var f) ? f : null;
                if (fault is null && _failMatching is { Remaining: > 0 } failing && failing.Matches(recorded.PathAndQuery))
                {
                    fault = new Fault(failing.Status, null, null);
                    _failMatching = failing with { Remaining = failing.Remaining - 1 };
                }
            }

            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, context.RequestAborted);
            }

            if (context.Request.Headers["X-API-Key"] != ApiKey)
            {
                var missing = string.IsNullOrEmpty(context.Request.Headers["X-API-Key"]);
                context.Response.Headers.WWWAuthenticate = "API Key";
                await Problem(context, 401, missing ? "Full authentication is required to access this resource." : "Invalid API Key.");
                return;
            }

            context.Response.Headers["X-RateLimit-Limit"] = "100";
            context.Response.Headers["X-RateLimit-Remaining"] = "99";
            if (fault is { } f2)
            {
                if (f2.Status == StatusCodes.Status429TooManyRequests)
                {
                    context.Response.Headers["X-RateLimit-Remaining"] = "0";
                    if (f2.RetryAfterSeconds is { } seconds)
                    {
                        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                    }

                    if (f2.Refill is { } refill)
                    {
                        context.Response.Headers["X-RateLimit-Refill"] = refill;
                    }

                    await Problem(context, 429, "Too many requests.");
                    return;
                }

                await Problem(context, f2.Status, "Server error.");
                return;
            }

            await next(context);
        });

        app.MapGet("/api/contacts", ListContacts);
        app.MapPost("/api/contacts", CreateContact);
        app.MapGet("/api/contacts/{id:long}", (HttpContext c, long id) => WithContact(c, id, contact => Json(c, 200, contact.ToJson(TagsView()))));
        app.MapMethods("/api/contacts/{id:long}", ["PATCH"], PatchContact);
        app.MapPost("/api/contacts/{id:long}/tags", AssignTag);
        app.MapDelete("/api/contacts/{id:long}/tags/{tagId:long}", RemoveTag);
        app.MapGet("/api/tags", ListTags);
        app.MapPost("/api/tags", CreateTag);
    }

    private Task ListContacts(HttpContext context)
    {
        if (!Page(context, out var limit, out var after))
        {
            return Problem(context, 422, "limit: This value should be between 10 and 100.", ("limit", "This value should be between 10 and 100."));
        }

        var email = context.Request.Query["email"].ToString();
        if (email.Length > 0 && !IsEmail(email))
        {
            return Problem(context, 422, "email: This value is not a valid email address.", ("email", "This value is not a valid email address."));
        }

        // "tags": comma-separated tag ids (names are refused); a contact must carry all of them.
        var tagFilter = new List<long>();
        foreach (var part in context.Request.Query["tags"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var tagId))
            {
                return Problem(context, 422, "tags: This value is not valid.", ("tags", "This value is not valid."));
            }

            tagFilter.Add(tagId);
        }

        lock (_gate)
        {
            var matching = _contacts.Values
                .Where(c => email.Length == 0 || string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase))
                .Where(c => tagFilter.All(c.TagIds.Contains))
                .OrderByDescending(c => c.Id)
                .Where(c => after is null || c.Id < after)
                .ToList();
            var tags = TagsView();
            return Json(context, 200, new JsonObject
            {
                ["items"] = new JsonArray([.. matching.Take(limit).Select(c => (JsonNode)c.ToJson(tags))]),
                ["hasMore"] = matching.Count > limit,
            });
        }
    }

    private Task CreateContact(HttpContext context)
    {
        var body = JsonNode.Parse((string)context.Items["body"]!)!.AsObject();
        var email = body["email"]?.GetValue<string>() ?? string.Empty;
        if (!IsEmail(email))
        {
            return Problem(context, 422, "email: This value is not a valid email address.", ("email", "This value is not a valid email address."));
        }

        lock (_gate)
        {
            if (_contacts.Values.Any(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase)))
            {
                return Problem(context, 422, "email: This value is already used.", ("email", "This value is already used."));
            }

            var contact = new EmulatedContact { Id = ++_nextId, Email = email };
            ApplyFields(contact, body["fields"]);
            _contacts[contact.Id] = contact;
            return Json(context, 201, contact.ToJson(TagsView()));
        }
    }

    private Task PatchContact(HttpContext context, long id)
    {
        if (context.Request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true)
        {
            return Problem(context, 415, $"The content-type \"{context.Request.ContentType}\" is not supported.");
        }

        return WithContact(context, id, contact =>
        {
            var body = JsonNode.Parse((string)context.Items["body"]!)!.AsObject();
            lock (_gate)
            {
                ApplyFields(contact, body["fields"]);
                return Json(context, 200, contact.ToJson(TagsView()));
            }
        });
    }

    private Task AssignTag(HttpContext context, long id) => WithContact(context, id, contact =>
    {
        var tagId = JsonNode.Parse((string)context.Items["body"]!)?["tagId"]?.GetValue<long>() ?? 0;
        lock (_gate)
        {
            if (!_tags.ContainsKey(tagId))
            {
                return Problem(context, 422, $"tagId: Tag with ID {tagId} not found.", ("tagId", $"Tag with ID {tagId} not found."));
            }

            if (!contact.TagIds.Add(tagId))
            {
                _redundantAssignments++;
            }
            else
            {
                SendWebhook("CONTACT_TAG_ADDED", contact, tagId);
            }
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    });

    private Task RemoveTag(HttpContext context, long id, long tagId) => WithContact(context, id, contact =>
    {
        lock (_gate)
        {
            if (!contact.TagIds.Remove(tagId))
            {
                return Problem(context, 404, "Not Found");
            }

            SendWebhook("CONTACT_TAG_REMOVED", contact, tagId);
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    });

    private Task ListTags(HttpContext context)
    {
        if (!Page(context, out var limit, out var after))
        {
            return Problem(context, 422, "limit: This value should be between 10 and 100.", ("limit", "This value should be between 10 and 100."));
        }

        var query = context.Request.Query["query"].ToString();
        lock (_gate)
        {
            var matching = _tags
                .Where(t => t.Value.Contains(query, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(t => t.Key)
                .Where(t => after is null || t.Key < after)
                .ToList();
            return Json(context, 200, new JsonObject
            {
                ["items"] = new JsonArray([.. matching.Take(limit).Select(t => (JsonNode)new JsonObject { ["id"] = t.Key, ["name"] = t.Value })]),
                ["hasMore"] = matching.Count > limit,
            });
        }
    }

    private Task CreateTag(HttpContext context)
    {
        var name = JsonNode.Parse((string)context.Items["body"]!)?["name"]?.GetValue<string>() ?? string.Empty;
        lock (_gate)
        {
            if (name.Length == 0 || _tags.ContainsValue(name))
            {
                return Problem(context, 422, "name: This value is already used.", ("name", "This value is already used."));
            }

            var id = ++_nextId;
            _tags[id] = name;
            return Json(context, 201, new JsonObject { ["id"] = id, ["name"] = name });
        }
    }

    private Dictionary<long, string> TagsView() => new(_tags);

    /// <summary>Posts a signed tag event the way the webhook service does: hex HMAC-SHA256 of the raw body; called under the gate.</summary>
    private void SendWebhook(string eventType, EmulatedContact contact, long tagId)
    {
        if (WebhookSender is not { } sender || WebhookSecret is not { } secret)
        {
            return;
        }

        var body = new JsonObject { ["contact"] = contact.ToJson(TagsView()), ["tag"] = new JsonObject { ["id"] = tagId, ["name"] = _tags[tagId] } }.ToJsonString();
        _webhooksSent.Add(eventType);
        _ = Task.Run(async () =>
        {
            using var request = SignedWebhooks.Request(secret, eventType, Guid.NewGuid().ToString(), body);
            await sender(request);
        });
    }

    private Task WithContact(HttpContext context, long id, Func<EmulatedContact, Task> action)
    {
        EmulatedContact? contact;
        lock (_gate)
        {
            _contacts.TryGetValue(id, out contact);
        }

        return contact is null ? Problem(context, 404, "Not Found") : action(contact);
    }

    private static void ApplyFields(EmulatedContact contact, JsonNode? fields)
    {
        foreach (var field in fields?.AsArray() ?? [])
        {
            var slug = field!["slug"]!.GetValue<string>();
            var value = field["value"]?.GetValue<string>();
            if (value is null)
            {
                contact.Fields.Remove(slug);
            }
            else
            {
                contact.Fields[slug] = value;
            }
        }
    }

    private static bool Page(HttpContext context, out int limit, out long? after)
    {
        limit = int.TryParse(context.Request.Query["limit"], out var l) ? l : 50;
        after = long.TryParse(context.Request.Query["startingAfter"], out var a) ? a : null;
        return limit is >= 10 and <= 100;
    }

    private static bool IsEmail(string email) => MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.Contains('.', StringComparison.Ordinal);

    private static Task Json(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static Task Problem(HttpContext context, int status, string detail, params (string Path, string Message)[] violations)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var body = new JsonObject { ["detail"] = detail };
        if (violations.Length > 0)
        {
            body["violations"] = new JsonArray([.. violations.Select(v => (JsonNode)new JsonObject { ["propertyPath"] = v.Path, ["message"] = v.Message })]);
        }

        return context.Response.WriteAsync(body.ToJsonString());
    }

    private sealed record Fault(int Status, int? RetryAfterSeconds, string? Refill);
}

public sealed record RecordedRequest(string Method, string PathAndQuery, DateTimeOffset At, string ApiKey, string? ContentType, string Body);

public sealed class EmulatedContact
{
    public long Id { get; init; }

    public required string Email { get; init; }

    public Dictionary<string, string> Fields { get; init; } = [];

    public HashSet<long> TagIds { get; init; } = [];

    public EmulatedContact Copy() => new() { Id = Id, Email = Email, Fields = new(Fields), TagIds = [.. TagIds] };

    public JsonObject ToJson(IReadOnlyDictionary<long, string> tags) => new()
    {
        ["id"] = Id,
        ["email"] = Email,
        ["registeredAt"] = "2026-01-01T00:00:00+00:00",
        ["locale"] = "en",
        ["sourceURL"] = null,
        ["unsubscribed"] = false,
        ["bounced"] = false,
        ["needsConfirmation"] = false,
        ["fields"] = new JsonArray([.. Fields.Select(f => (JsonNode)new JsonObject { ["fieldName"] = f.Key, ["slug"] = f.Key, ["value"] = f.Value })]),
        ["tags"] = new JsonArray([.. TagIds.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["name"] = tags[id] })]),
    };
}
