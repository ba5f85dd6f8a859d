using ClientFlow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ClientFlow.Tests.Integration.Engine;

/// <summary>
/// The real app whose clock the test moves. Hangfire still runs jobs for real; a wait's own delayed job
/// fires in real time (far away), so tests move the clock and run the recovery sweep, which wakes every
/// run that is due: the same path a lost job takes.
/// </summary>
public sealed class FakeClockApp : SqliteApp
{
    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["App:PublicBaseUrl"] = "http://clientflow.test",
        ["Notifications:AllowPrivateTargets"] = "true",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(Clock);
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();

        // PassAsync counts what its own sweep hands out: the minute's recurring sweep (real time) must not take a run
        // the moved clock has just made due.
        App.RemoveRecurringSweeps();
    }

    /// <summary>Moves the clock past a wait (and the sweep's grace) and wakes what is due.</summary>
    public async Task<int> PassAsync(TimeSpan wait)
    {
        Clock.Advance(wait + TimeSpan.FromMinutes(1));
        return await App.SweepRunsAsync();
    }
}
