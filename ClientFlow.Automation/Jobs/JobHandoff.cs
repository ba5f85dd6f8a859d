using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace ClientFlow.Automation.Jobs;

/// <summary>
/// Hands rows whose transaction has committed to Hangfire from a background loop, off the path that wrote them: what was
/// posted while the loop was busy goes out together, so batches form by themselves under load and a quiet moment sends
/// each row at once. What is still posted when the host stops goes out too. A row whose hand-off is lost (the process
/// dies, the job storage is down) is still pending in its table, and that table's sweep hands it out.
/// </summary>
public abstract class JobHandoff<T> : BackgroundService
{
    private readonly Channel<T> _posted = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });

    protected void Write(T item) => _posted.Writer.TryWrite(item);

    /// <summary>
    /// How long the loop lets rows gather after the first one is posted, so a burst goes out in a few large jobs rather
    /// than many small ones (zero: at once).
    /// </summary>
    protected virtual TimeSpan Linger => TimeSpan.Zero;

    /// <summary>Enqueues the jobs for what was posted since the last call (never empty); must not throw.</summary>
    protected abstract void HandOut(IReadOnlyList<T> posted);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _posted.Reader.WaitToReadAsync(stoppingToken))
            {
                if (Linger > TimeSpan.Zero)
                {
                    await Task.Delay(Linger, stoppingToken);
                }

                Drain();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is already posted still goes out below.
        }

        Drain();
    }

    private void Drain()
    {
        var posted = new List<T>();
        while (_posted.Reader.TryRead(out var item))
        {
            posted.Add(item);
        }

        if (posted.Count > 0)
        {
            HandOut(posted);
        }
    }
}
