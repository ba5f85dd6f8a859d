namespace ClientFlow.Automation.Data;

/// <summary>
/// Turns at SQLite's one writer, in order, for the writes a burst of webhooks makes: the inbox storing them, and the inbox
/// jobs claiming and recording them. SQLite keeps no queue: a writer that finds the database locked sleeps and tries
/// again (after 1, 2, 5, 10, 15, 20, 25 ms …), so with the inbox and ten jobs writing at once one of them could lose
/// for tens of milliseconds while the webhooks it was storing waited. Here they wait for each other instead, each
/// taking the writer as the one before lets it go. On PostgreSQL, whose writers lock rows, a turn is taken at once.
/// </summary>
/// <remarks>
/// A turn covers one write that waits for nothing else (a statement, a save, a short transaction), so a holder never
/// waits for another turn. Other writers (pages, the engine) still meet these at SQLite's lock, as before.
/// </remarks>
public sealed class WriterTurns(bool serialized) : IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>Waits for this process's turn at the writer; dispose the turn when the write has committed or failed.</summary>
    public async ValueTask<Turn> TakeAsync()
    {
        if (!serialized)
        {
            return default;
        }

        // Not cancellable: the write it guards is not either, once begun.
        await _writer.WaitAsync(CancellationToken.None);
        return new Turn(_writer);
    }

    public void Dispose() => _writer.Dispose();

    public readonly struct Turn(SemaphoreSlim? writer) : IDisposable
    {
        public void Dispose() => writer?.Release();
    }
}
