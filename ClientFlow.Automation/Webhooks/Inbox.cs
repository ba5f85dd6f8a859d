using System.Collections.Concurrent;
using ClientFlow.Automation.Data;
using ClientFlow.Automation.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Automation.Webhooks;

/// <summary>
/// Stores inbound events before they are acknowledged and hands each to a job (through <see cref="InboxHandoff"/>). A redelivered message id
/// hits the unique index and is reported as a duplicate, never stored or processed twice.
/// </summary>
/// <remarks>
/// Group commit: events that arrive while another request's events are being written wait for the writer, and whichever
/// request takes it next writes every event waiting (up to <see cref="MaxGroup"/>) in one statement (on SQLite, a few
/// in one transaction), through one connection kept open for it. Each request is
/// answered only once its own event has committed, so an acknowledged event is never lost; a quiet moment still writes
/// each event at once. One transaction per event cost more than the rest of the request. A group that holds a
/// redelivery is written again one event at a time, so only the redelivery is refused. On SQLite a group takes its
/// turn at the one writer with the inbox jobs' claims and outcomes (<see cref="WriterTurns"/>).
/// </remarks>
public sealed class Inbox(IServiceScopeFactory scopes, InboxHandoff handoff, WriterTurns writerTurns, ClientFlowMetrics metrics, TimeProvider clock) : IDisposable
{
    /// <summary>How long a claimed or handed-out event is left alone before the sweep counts its job as lost.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>The most events one transaction stores.</summary>
    public const int MaxGroup = 100;

    private readonly ConcurrentQueue<Waiting> _waiting = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    // Used only while _writer is held.
    private AsyncServiceScope? _writerScope;
    private ClientFlowDbContext? _writerDb;
    private bool _disposed;

    /// <summary>True when stored; false for a message id already in the inbox.</summary>
    public async Task<bool> StoreAsync(InboundEvent inbound, CancellationToken cancellationToken)
    {
        var waiting = new Waiting(inbound);
        _waiting.Enqueue(waiting);

        // Not cancelled by the caller once queued: the writer that takes this event may be writing others' with it.
        await _writer.WaitAsync(CancellationToken.None);
        try
        {
            while (!waiting.Stored.Task.IsCompleted)
            {
                await WriteGroupAsync();
            }
        }
        finally
        {
            _writer.Release();
        }

        return await waiting.Stored.Task;
    }

    private async Task WriteGroupAsync()
    {
        var group = new List<Waiting>();
        while (group.Count < MaxGroup && _waiting.TryDequeue(out var next))
        {
            group.Add(next);
        }

        try
        {
            if (await TryStoreAsync(group))
            {
                foreach (var waiting in group)
                {
                    Stored(waiting, duplicate: false);
                }

                return;
            }

            // A redelivery (or two deliveries of one message) in the group: each alone, so only it is refused.
            foreach (var waiting in group)
            {
                Stored(waiting, duplicate: !await TryStoreAsync([waiting]));
            }
        }
        catch (Exception ex)
        {
            // The database failed: nothing of the group is acknowledged, so each sender delivers again.
            foreach (var waiting in group)
            {
                waiting.Stored.TrySetException(ex);
            }
        }
    }

    /// <summary>Stores the events together; false, storing none, when one of them is already in the inbox.</summary>
    private async Task<bool> TryStoreAsync(IReadOnlyList<Waiting> group)
    {
        var now = clock.GetUtcNow();
        var db = await WriterAsync();
        foreach (var waiting in group)
        {
            waiting.Event.ReceivedAt = now;
            waiting.Event.NextAttemptAt = now + Lease;
            db.InboundEvents.Add(waiting.Event);
        }

        try
        {
            // Several rows per statement: SaveChanges writes a row a statement, which SQLite prepares anew each time. A
            // group that one statement holds (on PostgreSQL, any group) needs no transaction, nor its commit's round trip.
            using var turn = await writerTurns.TakeAsync();
            await using var transaction = group.Count > db.RowsPerInsert(typeof(InboundEvent)) ? await db.Database.BeginTransactionAsync(CancellationToken.None) : null;
            await db.InsertAddedAsync([typeof(InboundEvent)], CancellationToken.None);
            if (transaction is not null)
            {
                await transaction.CommitAsync(CancellationToken.None);
            }

            return true;
        }
        catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
        {
            return false;
        }
        catch
        {
            // The connection may be what failed: the next group opens another.
            await CloseWriterAsync();
            throw;
        }
        finally
        {
            _writerDb?.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// The one context the group commit writes with, its connection kept open: groups are written one at a time, and
    /// opening a pooled connection for each cost PostgreSQL a round trip (the row-level security settings) and seven
    /// reset statements, for groups of a few events.
    /// </summary>
    private async Task<ClientFlowDbContext> WriterAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writerDb is null)
        {
            var scope = scopes.CreateAsyncScope();
            try
            {
                var db = scope.ServiceProvider.GetRequiredService<ClientFlowDbContext>();
                await db.Database.OpenConnectionAsync(CancellationToken.None);
                (_writerScope, _writerDb) = (scope, db);
            }
            catch
            {
                await scope.DisposeAsync();
                throw;
            }
        }

        return _writerDb;
    }

    private async Task CloseWriterAsync()
    {
        _writerDb = null;
        if (_writerScope is { } scope)
        {
            _writerScope = null;
            await scope.DisposeAsync();
        }
    }

    private void Stored(Waiting waiting, bool duplicate)
    {
        var inbound = waiting.Event;
        metrics.RecordWebhook(inbound.Source, inbound.Status, duplicate);
        if (!duplicate && inbound.Status == InboundStatus.Pending)
        {
            handoff.Post(inbound.Id);
        }

        waiting.Stored.TrySetResult(!duplicate);
    }

    /// <summary>
    /// At shutdown: a group being written finishes first (its context is not disposed under it), then the writer's
    /// connection is closed; a request still waiting is refused, and its sender delivers again.
    /// </summary>
    public void Dispose()
    {
        _writer.Wait();
        try
        {
            _disposed = true;
            _writerScope?.Dispose();
            (_writerScope, _writerDb) = (null, null);
        }
        finally
        {
            _writer.Release();
        }
    }

    private sealed class Waiting(InboundEvent inbound)
    {
        public InboundEvent Event { get; } = inbound;

        public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
