using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace ClientFlow.Automation.Templates;

/// <summary>
/// Checks a template at save: it must parse, and every name it uses must be a listed variable,
/// a builtin function or a name the template itself assigns. <c>import</c> and <c>include</c> are
/// refused. Errors carry 1-based lines and columns, so the editor can point at them.
/// </summary>
public static class TemplateCompiler
{
    public static IReadOnlyList<TemplateError> Check(string field, string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            return [];
        }

        var template = Template.Parse(source);
        if (template.HasErrors)
        {
            return template.Messages
                .Where(m => m.Type == Scriban.Parsing.ParserMessageType.Error)
                .Select(m => new TemplateError(field, m.Span.Start.Line + 1, m.Span.Start.Column + 1, m.Message))
                .DistinctBy(e => (e.Line, e.Column))
                .ToList();
        }

        var walk = new NameWalk(SandboxedRenderer.CreateBuiltins(TimeProvider.System));
        walk.Visit(template.Page);
        return walk.Errors(field);
    }

    /// <summary>One walk collects what the template defines and what it uses; the check runs after, so order does not matter.</summary>
    private sealed class NameWalk(ScriptObject builtins) : ScriptVisitor
    {
        private readonly HashSet<string> _defined = new(StringComparer.Ordinal);
        private readonly List<(ScriptNode Node, string Name)> _used = [];
        private readonly List<(ScriptNode Node, string Target, string Member)> _members = [];
        private readonly List<(ScriptNode Node, string Message)> _refused = [];

        public override void Visit(ScriptVariableGlobal node)
        {
            _used.Add((node, node.Name));
            base.Visit(node);
        }

        public override void Visit(ScriptAssignExpression node)
        {
            if (node.Target is ScriptVariableGlobal target)
            {
                _defined.Add(target.Name);
            }

            base.Visit(node);
        }

        public override void Visit(ScriptCaptureStatement node)
        {
            Define(node.Target);
            base.Visit(node);
        }

        // for.index, while.first, tablerow.col: the loop object is defined inside its loop.
        public override void Visit(ScriptForStatement node)
        {
            Define(node.Variable);
            _defined.Add("for");
            base.Visit(node);
        }

        public override void Visit(ScriptWhileStatement node)
        {
            _defined.Add("while");
            base.Visit(node);
        }

        public override void Visit(ScriptTableRowStatement node)
        {
            Define(node.Variable);
            _defined.Add("tablerow");
            base.Visit(node);
        }

        public override void Visit(ScriptFunction node)
        {
            if (node.NameOrDoToken is ScriptVariableGlobal name)
            {
                _defined.Add(name.Name);
            }

            foreach (var parameter in node.Parameters ?? [])
            {
                Define(parameter.Name);
            }

            base.Visit(node);
        }

        public override void Visit(ScriptMemberExpression node)
        {
            if (node.Target is ScriptVariableGlobal target && node.Member is ScriptVariable member)
            {
                _members.Add((node, target.Name, member.Name));
            }

            // Only the target: the member (name in ib.name, upcase in string.upcase) is not a global.
            Visit(node.Target);
        }

        public override void Visit(ScriptImportStatement node)
        {
            _refused.Add((node, "import is not allowed in email templates."));
            base.Visit(node);
        }

        public override void Visit(ScriptWithStatement node)
        {
            _refused.Add((node, "with is not allowed in email templates."));
            base.Visit(node);
        }

        public List<TemplateError> Errors(string field)
        {
            var errors = _refused.Select(r => Error(field, r.Node, r.Message)).ToList();
            foreach (var (node, name) in _used)
            {
                if (!_defined.Contains(name) && !TemplateVariables.Globals.Contains(name) && !builtins.ContainsKey(name))
                {
                    errors.Add(Error(field, node, name is "include" or "include_join"
                        ? $"{name} is not allowed in email templates."
                        : $"Unknown variable '{name}'. Use one of: {string.Join(", ", TemplateVariables.All.Select(v => v.Name))}."));
                }
            }

            foreach (var (node, target, member) in _members)
            {
                if (_defined.Contains(target))
                {
                    continue;
                }

                if (target == "ib" && !TemplateVariables.IbMembers.Contains(member))
                {
                    errors.Add(Error(field, node, $"Unknown variable 'ib.{member}'. Use ib.name or ib.email."));
                }
                else if (builtins.TryGetValue(target, out var functions) && functions is ScriptObject namespaceObject && !namespaceObject.ContainsKey(member))
                {
                    errors.Add(Error(field, node, $"Unknown function '{target}.{member}'."));
                }
            }

            return errors.OrderBy(e => e.Line).ThenBy(e => e.Column).DistinctBy(e => (e.Line, e.Column, e.Message)).ToList();
        }

        private void Define(ScriptExpression? variable)
        {
            if (variable is ScriptVariable named)
            {
                _defined.Add(named.Name);
            }
        }

        private static TemplateError Error(string field, ScriptNode node, string message) =>
            new(field, node.Span.Start.Line + 1, node.Span.Start.Column + 1, message);
    }
}
