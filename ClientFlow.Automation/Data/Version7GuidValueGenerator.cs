using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.ValueGeneration;

namespace ClientFlow.Automation.Data;

/// <summary>
/// Keys for new rows, ordered by creation time (UUID version 7: a millisecond timestamp, then 74 random bits). A key
/// that grows with time is appended to the end of its indexes instead of landing on a random page of each: a batch of
/// 1,000 captured leads with their tags, runs and outbox rows then writes a few pages at the ends of the key indexes
/// (the lead id also leads the run, tag and enrolment indexes) where random keys rewrote hundreds of pages of each.
/// Npgsql generates the same kind of key for PostgreSQL; this makes SQLite do the same, and both providers share it.
/// </summary>
internal sealed class Version7GuidValueGenerator : ValueGenerator<Guid>
{
    public override bool GeneratesTemporaryValues => false;

    public override Guid Next(EntityEntry entry) => Guid.CreateVersion7();
}
