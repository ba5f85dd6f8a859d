using System.Net;
using Scriban;
using Scriban.Functions;
using Scriban.Runtime;
using Scriban.Syntax;

namespace ClientFlow.Automation.Templates;

/// <summary>
/// Renders IB-written Scriban, which is untrusted code: the model is a plain <see cref="ScriptObject"/>
/// of strings, no .NET member is reachable, includes are gone, and every render has loop,
/// recursion, output and time limits. Scriban does not escape, so HTML renders get HTML-encoded values
/// and subjects lose line breaks.
/// </summary>
public sealed class SandboxedRenderer(TimeProvider clock)
{
    public const int LoopLimit = 1_000;
    public const int RecursiveLimit = 20;
    public const int OutputLimit = 256 * 1024;
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(2);

    public string Render(string? source, TemplateModel model, TemplateFormat format)
    {
        if (string.IsNullOrEmpty(source))
        {
            return string.Empty;
        }

        var template = Template.Parse(source);
        if (template.HasErrors)
        {
            var first = template.Messages[0];
            throw new TemplateRenderException(first.Span.Start.Line + 1, first.Span.Start.Column + 1, first.Message);
        }

        using var timeLimit = new CancellationTokenSource(TimeLimit);
        var context = new TemplateContext(CreateBuiltins(clock))
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            MemberFilter = _ => false,
            TemplateLoader = null,
            LoopLimit = LoopLimit,
            RecursiveLimit = RecursiveLimit,
            ObjectRecursionLimit = RecursiveLimit,
            LimitToString = 10_000,
            OutputLimit = OutputLimit,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            RegexTimeOut = TimeSpan.FromMilliseconds(500),
            CancellationToken = timeLimit.Token,
        };
        context.PushGlobal(Globals(model, format == TemplateFormat.Html));

        string output;
        try
        {
            output = template.Render(context);
        }
        catch (ScriptAbortException)
        {
            throw new TemplateRenderException(0, 0, $"The template ran longer than {TimeLimit.TotalSeconds:0} s and was stopped.");
        }
        catch (ScriptRuntimeException ex)
        {
            throw new TemplateRenderException(ex.Span.Start.Line + 1, ex.Span.Start.Column + 1, ex.OriginalMessage);
        }

        return format == TemplateFormat.Subject ? output.ReplaceLineEndings(" ").Trim() : output;
    }

    /// <summary>Scriban's builtins without <c>include</c>, with <c>date.now</c> on our clock and <c>string.default</c> as an alias of <c>object.default</c>.</summary>
    internal static ScriptObject CreateBuiltins(TimeProvider clock)
    {
        var builtins = new TemplateContext().BuiltinObject;
        builtins.Remove("include");
        builtins.Remove("include_join");
        if (builtins["date"] is ScriptObject date)
        {
            // Import skips read-only members, and the builtin now and utc_now are: SetValue replaces them.
            var now = DynamicCustomFunction.Create(new Func<DateTime>(() => clock.GetUtcNow().UtcDateTime));
            date.SetValue("now", now, true);
            date.SetValue("utc_now", now, true);
        }

        if (builtins["string"] is ScriptObject text)
        {
            text.Import("default", new Func<object?, object?, object?>(ObjectFunctions.Default));
        }

        return builtins;
    }

    private static ScriptObject Globals(TemplateModel model, bool html)
    {
        string? Value(string? value) => value is null ? null : html ? WebUtility.HtmlEncode(value) : value;

        var ib = new ScriptObject
        {
            ["name"] = Value(model.IbName),
            ["email"] = Value(model.IbEmail),
        };
        return new ScriptObject
        {
            ["first_name"] = Value(model.FirstName),
            ["last_name"] = Value(model.LastName),
            ["full_name"] = Value(model.FullName),
            ["email"] = Value(model.Email),
            ["phone"] = Value(model.Phone),
            ["ib_type"] = Value(model.IbType),
            ["monthly_leads"] = Value(model.MonthlyLeads),
            ["broker_network"] = Value(model.BrokerNetwork),
            ["ib"] = ib,
            ["unsubscribe_url"] = Value(model.UnsubscribeUrl),
            ["referral_link"] = DynamicCustomFunction.Create(new Func<string, string?>(name =>
                model.ReferralLinks is { } links && links.TryGetValue(name, out var link)
                    ? Value(link)
                    : throw new ScriptRuntimeException(default, $"No broker connection is named \"{name}\": add it on Conversions, or use one of: {string.Join(", ", model.ReferralLinks?.Keys.Select(k => $"\"{k}\"") ?? [])}."))),
        };
    }
}
