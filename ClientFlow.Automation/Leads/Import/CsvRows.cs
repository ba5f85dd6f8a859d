using System.Text;

namespace ClientFlow.Automation.Leads.Import;

/// <summary>
/// An RFC 4180 reader over a whole file held in memory: quoted fields with doubled quotes and line
/// breaks, CRLF or LF, and the delimiter (comma, semicolon or tab) taken from the header line.
/// </summary>
internal sealed class CsvRows
{
    private static readonly char[] Delimiters = [',', ';', '\t'];
    private readonly string _text;
    private readonly char _delimiter;
    private int _position;
    private int _line = 1;

    public CsvRows(string text)
    {
        _text = text;
        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        var firstLine = firstLineEnd < 0 ? text : text[..firstLineEnd];
        _delimiter = Delimiters.MaxBy(d => firstLine.Count(c => c == d));
    }

    /// <summary>1-based line number where the last returned record started.</summary>
    public int Line { get; private set; }

    /// <summary>The next record, or null at the end. Blank lines are skipped.</summary>
    public IReadOnlyList<string>? Read()
    {
        while (_position < _text.Length)
        {
            Line = _line;
            var record = ReadRecord();
            if (record.Count > 1 || record[0].Length > 0)
            {
                return record;
            }
        }

        return null;
    }

    private List<string> ReadRecord()
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        while (_position < _text.Length)
        {
            var c = _text[_position++];
            if (quoted)
            {
                if (c != '"')
                {
                    _line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
                else if (_position < _text.Length && _text[_position] == '"')
                {
                    _position++;
                    field.Append('"');
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == _delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                _line++;
                break;
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
