using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace ClientFlow.Automation.Email;

/// <summary>
/// The text/plain part of an email whose template has none, read from its rendered HTML (AngleSharp's parser):
/// paragraphs, headings, lists and tables are set apart by a blank line, list items, rows and line breaks start a new
/// line ("- " for an item), a link reads "its text (its address)", an image its alt text; scripts, styles and the head
/// are left out. Mail clients that show text, and spam filters that compare the two parts, get the same
/// words as the HTML.
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "head", "script", "style", "title", "template", "noscript" };

    /// <summary>Set apart from what is around them by a blank line.</summary>
    private static readonly HashSet<string> Paragraphs = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "address",
    };

    /// <summary>On lines of their own.</summary>
    private static readonly HashSet<string> Lines = new(StringComparer.OrdinalIgnoreCase)
    {
        "div", "section", "article", "header", "footer", "main", "aside", "nav", "center", "tr", "li", "dt", "dd",
    };

    private const char LineBreak = '\n';

    /// <summary>A blank line wanted here (the Unicode paragraph separator, which no email text is expected to carry).</summary>
    private const char ParagraphBreak = '\u2029';

    public static string FromHtml(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder();
        Append(document.Body ?? (INode)document, text);
        return Tidy(text.ToString());
    }

    private static void Append(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(CollapseSpaces(t.Data));
                    break;
                case IElement e when Skipped.Contains(e.LocalName):
                    break;
                case IElement e when e.LocalName == "br":
                    text.Append(LineBreak);
                    break;
                case IElement e when e.LocalName == "img":
                    text.Append(e.GetAttribute("alt"));
                    break;
                case IElement e when e.LocalName == "a":
                    var start = text.Length;
                    Append(e, text);
                    var label = text.ToString(start, text.Length - start).Trim();
                    if (e.GetAttribute("href") is { Length: > 0 } href && !href.StartsWith('#') && !string.Equals(label, href, StringComparison.OrdinalIgnoreCase))
                    {
                        text.Append(label.Length == 0 ? href : $" ({href})");
                    }

                    break;
                case IElement e when e.LocalName == "td" || e.LocalName == "th":
                    Append(e, text);
                    text.Append(' ');
                    break;
                case IElement e when Paragraphs.Contains(e.LocalName) || Lines.Contains(e.LocalName):
                    var edge = Paragraphs.Contains(e.LocalName) ? ParagraphBreak : LineBreak;
                    text.Append(edge).Append(LineBreak);
                    text.Append(e.LocalName switch { "li" => "- ", "hr" => "--", _ => string.Empty });
                    Append(e, text);
                    text.Append(LineBreak).Append(edge).Append(LineBreak);
                    break;
                default:
                    Append(child, text);
                    break;
            }
        }
    }

    private static string CollapseSpaces(string data)
    {
        var text = new StringBuilder(data.Length);
        foreach (var c in data)
        {
            if (char.IsWhiteSpace(c))
            {
                if (text.Length == 0 || text[^1] != ' ')
                {
                    text.Append(' ');
                }
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>Each line trimmed, empty ones dropped, one blank line where a paragraph break asked for it, none at the ends.</summary>
    private static string Tidy(string text)
    {
        var result = new StringBuilder();
        var paragraph = false;
        foreach (var raw in text.Split(LineBreak))
        {
            paragraph |= raw.Contains(ParagraphBreak, StringComparison.Ordinal);
            var line = raw.Replace(ParagraphBreak.ToString(), string.Empty, StringComparison.Ordinal).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(paragraph ? "\n\n" : "\n");
            }

            result.Append(line);
            paragraph = false;
        }

        return result.ToString();
    }
}
