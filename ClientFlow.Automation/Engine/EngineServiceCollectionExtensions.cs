using ClientFlow.Automation.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClientFlow.Automation.Engine;

public static class EngineServiceCollectionExtensions
{
    public static IServiceCollection AddEngine(this IServiceCollection services)
    {
        services.AddOptions<EngineOptions>().BindConfiguration(EngineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddScoped<IRunScheduler, HangfireRunScheduler>();
        services.AddSingleton<WorkflowPrograms>();
        services.AddSingleton<WakeTimes>();
        services.AddScoped<DueRuns>();
        services.AddScoped<AfterCommit>();
        services.AddScoped<Enrolments>();
        services.AddScoped<StepExecutor>();
        services.AddScoped<RunAdvancer>();
        services.AddScoped<EngineSweep>();
        services.AddScoped<EngagementWake>();
        services.AddScoped<RunJob>();
        services.AddScoped<RunBatchJob>();
        services.AddScoped<WakeJob>();
        services.AddScoped<ResumeRunsJob>();
        services.AddScoped<EngineSweepJob>();
        return services;
    }
}
