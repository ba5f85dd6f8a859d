using System.Collections.Concurrent;
using System.Net;

namespace ClientFlow.Automation.Systeme;

/// <summary>
/// Tag name to Systeme.io id, for the life of the process. A miss searches (exact match on the
/// name), then creates; two callers missing at once share one lookup, and a create that another
/// node won (422 on <c>name</c>) takes the tag that node made.
/// </summary>
public sealed class SystemeTagCache
{
    private readonly ConcurrentDictionary<string, Lazy<Task<long>>> _ids = new(StringComparer.OrdinalIgnoreCase);

    public async Task<long> GetOrCreateIdAsync(ISystemeClient client, string name, CancellationToken cancellationToken)
    {
        var entry = _ids.GetOrAdd(name, n => new Lazy<Task<long>>(() => ResolveAsync(client, n, cancellationToken)));
        try
        {
            return await entry.Value;
        }
        catch
        {
            _ids.TryRemove(new KeyValuePair<string, Lazy<Task<long>>>(name, entry));
            throw;
        }
    }

    /// <summary>Forget a tag (deleted in Systeme.io: "Tag with ID … not found").</summary>
    public void Forget(string name) => _ids.TryRemove(name, out _);

    private static async Task<long> ResolveAsync(ISystemeClient client, string name, CancellationToken cancellationToken)
    {
        if (await client.FindTagAsync(name, cancellationToken) is { } existing)
        {
            return existing.Id;
        }

        try
        {
            return (await client.CreateTagAsync(name, cancellationToken)).Id;
        }
        catch (SystemeApiException ex) when (ex.Status == HttpStatusCode.UnprocessableEntity && ex.HasViolationOn("name"))
        {
            // Another node created it between our search and our create: use theirs, so the account keeps one tag.
            return (await client.FindTagAsync(name, cancellationToken))?.Id
                ?? throw new SystemeApiException(ex.Status, $"Tag \"{name}\" is reported as existing but cannot be found.", ex.Violations);
        }
    }
}
