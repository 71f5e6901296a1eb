using System.Globalization;
using System.Text;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Reads a delimited text file (plain or gzip, checked for truncation like the long tables) line by line and splits
/// lines into fields: delimiter tab, comma or semicolon (the most frequent outside quotes in the header), RFC 4180
/// quotes within a line. Leading '#' lines and blank lines are skipped. Used for wide spot × gene matrices and spot tables.
/// </summary>
internal sealed class TextRows : IDisposable
{
    private readonly TableInput _input;
    private readonly StreamReader _reader;

    public TextRows(string path)
    {
        Path = path;
        _input = TableInput.Open(path);
        _reader = new StreamReader(new InputStream(_input), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    public string Path { get; }
    /// <summary>1-based number of the last line read.</summary>
    public long Line { get; private set; }
    public char Delimiter { get; private set; } = ',';
    /// <summary>Bytes of the file consumed so far (compressed bytes for gzip) and its length, for progress.</summary>
    public (long Done, long Total) Position => (_input.Position, _input.Length);

    /// <summary>The next non-blank line that is not a '#' comment; null at the end.</summary>
    public string? NextLine()
    {
        while (true)
        {
            string? line;
            try { line = _reader.ReadLine(); }
            catch (TableInputException e)
            {
                throw new SpatialSimException(ErrorKind.InvalidData, $"'{Path}' cannot be read after line {Line}: {e.Message}", e) { FilePath = Path, LineNumber = Line + 1 };
            }
            if (line is null) return null;
            Line++;
            if (line.Length == 0 || line[0] == '#') continue;
            return line;
        }
    }

    /// <summary>Reads the header line, fixes the delimiter from it, and returns its fields; null for an empty file.</summary>
    public List<string>? Header()
    {
        var line = NextLine();
        if (line is null) return null;
        Delimiter = DetectDelimiter(line);
        return Split(line);
    }

    public static char DetectDelimiter(string line)
    {
        int tabs = 0, commas = 0, semis = 0;
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted)
            {
                if (c == '\t') tabs++;
                else if (c == ',') commas++;
                else if (c == ';') semis++;
            }
        }
        if (tabs >= commas && tabs >= semis && tabs > 0) return '\t';
        return semis > commas ? ';' : ',';
    }

    /// <summary>The fields of <paramref name="line"/>, unquoted and trimmed.</summary>
    public List<string> Split(string line)
    {
        var fields = new List<string>();
        Split(line, Delimiter, fields);
        return fields;
    }

    public static void Split(string line, char delimiter, List<string> fields)
    {
        fields.Clear();
        if (line.IndexOf('"') < 0)
        {
            int start = 0;
            while (true)
            {
                int at = line.IndexOf(delimiter, start);
                if (at < 0) { fields.Add(line[start..].Trim()); return; }
                fields.Add(line[start..at].Trim());
                start = at + 1;
            }
        }
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == delimiter) { fields.Add(field.ToString().Trim()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString().Trim());
    }

    /// <summary>Parses a number of a table cell (invariant culture; "NA"/empty are not numbers).</summary>
    public static bool TryNumber(ReadOnlySpan<char> s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public void Dispose()
    {
        _reader.Dispose();
        _input.Dispose();
    }

    /// <summary>A read-only stream over <see cref="TableInput"/> (decompressed, truncation-checked bytes).</summary>
    private sealed class InputStream(TableInput input) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer) => input.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
