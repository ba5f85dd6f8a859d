namespace ClientFlow.Bench;

/// <summary>The engine's baseline: a Hangfire job that does nothing but count itself.</summary>
public static class EmptyJob
{
    private static int _count;

    public static int Count => Volatile.Read(ref _count);

    public static void Reset() => Interlocked.Exchange(ref _count, 0);

    public static void Run() => Interlocked.Increment(ref _count);
}
