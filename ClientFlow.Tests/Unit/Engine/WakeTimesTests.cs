using ClientFlow.Automation.Jobs;

namespace ClientFlow.Tests.Unit.Engine;

/// <summary>Which waits need a wake of their own: one per tenant and second of due time, earliest first.</summary>
public sealed class WakeTimesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Tenant = Guid.Parse("0193a1b2-0000-7000-8000-000000000001");

    [Fact]
    public void AWaitLaterInASecondThatHasAWake_NeedsNone_AnEarlierOneDoes()
    {
        var wakes = new WakeTimes();
        var second = Now + TimeSpan.FromMinutes(5);

        Assert.True(wakes.TryBook(Tenant, second + TimeSpan.FromMilliseconds(400), Now));
        Assert.False(wakes.TryBook(Tenant, second + TimeSpan.FromMilliseconds(400), Now));
        Assert.False(wakes.TryBook(Tenant, second + TimeSpan.FromMilliseconds(900), Now));
        Assert.True(wakes.TryBook(Tenant, second + TimeSpan.FromMilliseconds(100), Now));
        Assert.False(wakes.TryBook(Tenant, second + TimeSpan.FromMilliseconds(300), Now));

        // Another second, or another tenant's same second, has a wake of its own.
        Assert.True(wakes.TryBook(Tenant, second + TimeSpan.FromMilliseconds(1_000), Now));
        Assert.True(wakes.TryBook(Guid.NewGuid(), second + TimeSpan.FromMilliseconds(500), Now));
    }

    [Fact]
    public void AWaitDueWithinTwoSeconds_AlwaysGetsAWake_ThatSecondsWakeMayHaveFired()
    {
        var wakes = new WakeTimes();
        var soon = Now + TimeSpan.FromSeconds(1.5);

        Assert.True(wakes.TryBook(Tenant, soon, Now));
        Assert.True(wakes.TryBook(Tenant, soon, Now));
    }

    [Fact]
    public void AReleasedBooking_IsBookedAgain()
    {
        var wakes = new WakeTimes();
        var dueAt = Now + TimeSpan.FromHours(1);

        Assert.True(wakes.TryBook(Tenant, dueAt, Now));
        wakes.Release(Tenant, dueAt);
        Assert.True(wakes.TryBook(Tenant, dueAt, Now));
        Assert.False(wakes.TryBook(Tenant, dueAt, Now));
    }

    [Fact]
    public void PastItsCap_ANewSecondIsNotRemembered_SoEachWaitThereGetsAWake()
    {
        var wakes = new WakeTimes();
        for (var i = 0; i < WakeTimes.MaxBooked; i++)
        {
            Assert.True(wakes.TryBook(Tenant, Now + TimeSpan.FromSeconds(10 + i), Now));
        }

        var beyond = Now + TimeSpan.FromSeconds(10 + WakeTimes.MaxBooked);
        Assert.True(wakes.TryBook(Tenant, beyond, Now));
        Assert.True(wakes.TryBook(Tenant, beyond, Now));

        // The seconds it remembers still share their wake.
        Assert.False(wakes.TryBook(Tenant, Now + TimeSpan.FromSeconds(10.5), Now));
    }

    [Fact]
    public void SecondsThatHavePassed_AreForgotten()
    {
        var wakes = new WakeTimes();
        for (var i = 0; i < WakeTimes.MaxBooked; i++)
        {
            wakes.TryBook(Tenant, Now + TimeSpan.FromSeconds(10 + i), Now);
        }

        // Every booked second is over: the next booking prunes them, and its own second is remembered again.
        var later = Now + TimeSpan.FromSeconds(20 + WakeTimes.MaxBooked);
        var dueAt = later + TimeSpan.FromMinutes(5);
        Assert.True(wakes.TryBook(Tenant, dueAt, later));
        Assert.False(wakes.TryBook(Tenant, dueAt, later));
    }
}
