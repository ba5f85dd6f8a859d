namespace ClientFlow.Automation.Systeme;

/// <summary>The Systeme.io public API calls ClientFlow makes. Failures throw <see cref="SystemeApiException"/>.</summary>
public interface ISystemeClient
{
    /// <summary>Exact, case-insensitive match on email (the API's own filter).</summary>
    Task<SystemeContact?> FindContactByEmailAsync(string email, CancellationToken cancellationToken);

    /// <summary>The contact with this id, or null when Systeme.io has none (404: deleted there).</summary>
    Task<SystemeContact?> GetContactAsync(long contactId, CancellationToken cancellationToken);

    Task<SystemeContact> CreateContactAsync(string email, IReadOnlyList<SystemeContactField> fields, CancellationToken cancellationToken);

    /// <summary>Merge-patch: only the given fields change.</summary>
    Task<SystemeContact> UpdateContactFieldsAsync(long contactId, IReadOnlyList<SystemeContactField> fields, CancellationToken cancellationToken);

    /// <summary>The tag with exactly this name (the API's search is a substring search).</summary>
    Task<SystemeTag?> FindTagAsync(string name, CancellationToken cancellationToken);

    Task<SystemeTag> CreateTagAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every tag whose name contains <paramref name="query"/> (the API's substring search, all pages).</summary>
    Task<IReadOnlyList<SystemeTag>> SearchTagsAsync(string query, CancellationToken cancellationToken);

    /// <summary>One page (up to 100) of the contacts carrying the tag, newest first, after the contact id <paramref name="startingAfter"/>.</summary>
    Task<SystemeContactPage> ListContactsWithTagAsync(long tagId, long? startingAfter, CancellationToken cancellationToken);

    Task AssignTagAsync(long contactId, long tagId, CancellationToken cancellationToken);

    /// <summary>Removing a tag the contact does not have (404) counts as done.</summary>
    Task RemoveTagAsync(long contactId, long tagId, CancellationToken cancellationToken);
}
