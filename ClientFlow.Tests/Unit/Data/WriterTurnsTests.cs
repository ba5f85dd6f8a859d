using ClientFlow.Automation.Data;

namespace ClientFlow.Tests.Unit.Data;

/// <summary>On SQLite the inbox's writes take turns at the one writer, in the order they asked; on PostgreSQL they do not wait.</summary>
public sealed class WriterTurnsTests
{
    [Fact]
    public async Task Serialized_EachTurnBeginsWhenThePreviousEnds_InTheOrderAsked()
    {
        using var turns = new WriterTurns(serialized: true);
        var first = await turns.TakeAsync();
        var second = turns.TakeAsync().AsTask();
        var third = turns.TakeAsync().AsTask();

        Assert.False(second.IsCompleted);
        first.Dispose();
        using (await second.WaitAsync(TestContext.Current.CancellationToken))
        {
            Assert.False(third.IsCompleted);
        }

        (await third.WaitAsync(TestContext.Current.CancellationToken)).Dispose();
        (await turns.TakeAsync()).Dispose();
    }

    [Fact]
    public async Task NotSerialized_TurnsAreTakenAtOnce()
    {
        using var turns = new WriterTurns(serialized: false);
        using var first = await turns.TakeAsync();
        var second = turns.TakeAsync();

        Assert.True(second.IsCompletedSuccessfully);
        (await second).Dispose();
    }
}
