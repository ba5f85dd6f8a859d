using ClientFlow.Automation;
using ClientFlow.Web.Hosting;

namespace ClientFlow.Tests.Unit.Architecture;

/// <summary>Web depends on Automation, never the reverse; Automation stays free of the web framework.</summary>
public sealed class DependencyDirectionTests
{
    // Libraries Automation may use although their names start with Microsoft.AspNetCore: none is the web framework.
    private static readonly string[] AllowedAspNetCoreLibraries =
    [
        "Microsoft.AspNetCore.Identity.EntityFrameworkCore",
        "Microsoft.AspNetCore.DataProtection.EntityFrameworkCore",
        "Microsoft.AspNetCore.DataProtection",
        "Microsoft.AspNetCore.Cryptography.Internal",
    ];

    [Fact]
    public void Automation_ReferencesNoWebFramework()
    {
        var references = typeof(AutomationServiceCollectionExtensions).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Microsoft.EntityFrameworkCore", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && !AllowedAspNetCoreLibraries.Contains(r));
        Assert.DoesNotContain(references, r => r.StartsWith("Hangfire.AspNetCore", StringComparison.Ordinal) || r.StartsWith("Hangfire.PostgreSql", StringComparison.Ordinal));
        Assert.DoesNotContain("ClientFlow.Web", references);
    }

    [Fact]
    public void Web_ReferencesAutomation()
    {
        var references = typeof(ClientFlowWebBuilderExtensions).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        Assert.Contains("ClientFlow.Automation", references);
    }

    [Fact]
    public void Automation_HasNoTypeInTheGlobalNamespace_OrOutsideItsOwn()
    {
        var types = typeof(AutomationServiceCollectionExtensions).Assembly.GetTypes().Where(t => !t.IsNested && !t.Name.StartsWith('<'));

        Assert.All(types, t => Assert.StartsWith("ClientFlow.Automation", t.Namespace ?? string.Empty, StringComparison.Ordinal));
    }
}
