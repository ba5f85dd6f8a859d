using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;

namespace ClientFlow.Tests.Infrastructure;

/// <summary>
/// Hangfire's own client, except that jobs for which <paramref name="drop"/> answers true never reach the
/// storage: the worker that would run them "died", or a test performs them itself, one worker at a time.
/// </summary>
public sealed class DroppingJobClient(IBackgroundJobClient inner, Func<Job, bool> drop) : IBackgroundJobClient
{
    public string Create(Job job, IState state) => drop(job) ? "dropped" : inner.Create(job, state);

    public bool ChangeState(string jobId, IState state, string expectedState) => inner.ChangeState(jobId, state, expectedState);

    public static void Register(IServiceCollection services, Func<Job, bool> drop) =>
        services.AddSingleton<IBackgroundJobClient>(sp => new DroppingJobClient(new BackgroundJobClient(sp.GetRequiredService<JobStorage>()), drop));
}
