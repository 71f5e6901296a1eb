using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>Splitting records into fields: the byte loop that decides every record, quoted fields, records over several lines.</summary>
internal sealed partial class CountTableParser
{
    /// <summary>
    /// The hot loop: splits records field by field in one pass over the bytes, without looking at the fields after the
    /// last one needed until the line break. Stops at a record that needs the quote-aware path (<paramref name="quoted"/>)
    /// or that is not complete in <paramref name="data"/>; returns where it stopped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FastRows(ReadOnlySpan<byte> data, int pos, bool eof, out bool quoted)
    {
        quoted = false;
        byte delim = _delim;
        byte[] roles = _roles;
        int max = _maxColumn;
        int len = data.Length;
        bool vector = VectorRowsEnabled;
        int quoteAt = -1; // the first quote at or after pos (len: none), found when pos passes the last one
        while (pos < len)
        {
            if (vector && len - pos >= VectorWindow)
            {
                if (quoteAt < pos)
                {
                    int q = data[pos..].IndexOf((byte)'"');
                    quoteAt = q < 0 ? len : pos + q;
                }
                if (quoteAt - pos >= VectorWindow)
                {
                    pos = VectorRows(data, pos, quoteAt);
                    if (pos >= len) break;
                }
            }
            // One record the long way: near the end of the data, at a quote, or one VectorRows left (a blank line,
            // too few fields): the checks and errors below are the reference for both paths.
            int p = pos;
            int gs = 0, ge = 0, xs = 0, xe = 0, ys = 0, ye = 0, cs = 0, ce = 0, qs = 0, qe = 0;
            bool blank = false;
            for (int f = 0; ; f++)
            {
                int s = p, e;
                if (p < len && data[p] == (byte)'"')
                {
                    // A simple quoted field: no doubled quotes, no line break inside, delimiter or line end after.
                    int close = data[(p + 1)..].IndexOfAny((byte)'"', (byte)'\n');
                    if (close < 0 && !eof) return pos;
                    if (close < 0 || data[p + 1 + close] == (byte)'\n') { quoted = true; return pos; }
                    s = p + 1;
                    e = s + close;
                    p = e + 1;
                    if (p < len && data[p] == (byte)'\r' && p + 1 < len && data[p + 1] == (byte)'\n') p++;
                    if (p == len && !eof) return pos;
                    if (p < len && data[p] != delim && data[p] != (byte)'\n')
                    {
                        quoted = true;
                        return pos;
                    }
                }
                else
                {
                    while (p < len)
                    {
                        byte b = data[p];
                        if (b == delim || b == (byte)'\n') break;
                        p++;
                    }
                    if (p == len && !eof) return pos;
                    e = p;
                    if (e > s && data[e - 1] == (byte)'\r' && (p == len || data[p] == (byte)'\n')) e--;
                }
                bool lineEnd = p == len || data[p] == (byte)'\n';
                switch (roles[f])
                {
                    case RoleGene: gs = s; ge = e; break;
                    case RoleX: xs = s; xe = e; break;
                    case RoleY: ys = s; ye = e; break;
                    case RoleCount: cs = s; ce = e; break;
                    case RoleQuality: qs = s; qe = e; break;
                }
                if (f == max) break;
                if (lineEnd)
                {
                    if (f == 0 && e == s) { blank = true; break; }
                    _recordLine = _line + 1;
                    throw TooFewFields(f + 1, data[gs..ge]);
                }
                p++;
            }
            int next;
            if (p < len && data[p] != (byte)'\n' && !blank)
            {
                // p is at the delimiter after the last field we need: skip the rest of the record.
                // An odd number of quotes in it may mean a quoted field running on to the next line.
                int rel = data[p..].IndexOf((byte)'\n');
                if (rel < 0 && !eof) return pos;
                next = rel < 0 ? len : p + rel + 1;
                var rest = rel < 0 ? data[p..] : data.Slice(p, rel);
                if ((rest.Count((byte)'"') & 1) != 0) { quoted = true; return pos; }
            }
            else next = Math.Min(p + 1, len);
            _recordLine = _line + 1;
            if (!blank) HandleRow(data[gs..ge], data[xs..xe], data[ys..ye], data[cs..ce], data[qs..qe]);
            _line++;
            pos = next;
        }
        return pos;
    }

    /// <summary>
    /// A record whose quoted field runs over line breaks: finds its end in one quote-aware pass, then parses it.
    /// Returns the position after it, or -1 when more data is needed.
    /// </summary>
    private int MultiLineRecord(ReadOnlySpan<byte> data, int pos, bool eof, out long lines)
    {
        lines = 0;
        int end = FindRecordEnd(data, pos);
        if (end < 0 && (eof || data.Length - pos > MaxQuotedSpan))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"Line {_recordLine:N0} of '{_path}' opens a quoted field (\") that is not closed " +
                (eof ? "before the end of the file." : $"within {MaxQuotedSpan >> 20} MiB.") +
                " Check the quotes on that line; a quote inside a quoted field must be doubled (\"\").")
            { FilePath = _path, LineNumber = _recordLine };
        if (end < 0 || (end == data.Length && !eof)) return -1;
        var record = data[pos..end];
        lines = 1 + record.Count((byte)'\n');
        if (!record.IsEmpty && record[^1] == (byte)'\r') record = record[..^1];
        if (!ParseRecord(record))
            throw new InvalidOperationException($"Record at line {_recordLine} was not split as scanned."); // a bug, not bad input
        return end == data.Length ? end : end + 1;
    }

    /// <summary>
    /// Where the record starting at <paramref name="pos"/> ends, with the quoting rules of <see cref="ParseRecord"/>
    /// (a quote opens a quoted field only at a field's start; "" inside is a quote): the index of its line break,
    /// data.Length when the data ends outside quotes, or -1 when it ends inside a quoted field.
    /// </summary>
    private int FindRecordEnd(ReadOnlySpan<byte> data, int pos)
    {
        byte delim = _delim;
        int i = pos;
        bool fieldStart = true;
        while (i < data.Length)
        {
            byte b = data[i];
            if (fieldStart && b == (byte)'"')
            {
                i++;
                while (true)
                {
                    int q = data[i..].IndexOf((byte)'"');
                    if (q < 0) return -1;
                    i += q + 1;
                    if (i < data.Length && data[i] == (byte)'"') { i++; continue; }
                    break;
                }
                fieldStart = false;
                continue;
            }
            if (b == (byte)'\n') return i;
            fieldStart = b == delim;
            i++;
        }
        return data.Length;
    }

    /// <summary>Splits one record and handles it; false (and no effect) when a quoted field is not closed within it.</summary>
    private bool ParseRecord(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> gene = default, xs = default, ys = default, cs = default, qv = default;
        byte delim = _delim;
        byte[] roles = _roles;
        int max = _maxColumn;
        int pos = 0;
        for (int f = 0; ; f++)
        {
            ReadOnlySpan<byte> field;
            int fieldEnd;
            if (pos < line.Length && line[pos] == (byte)'"')
            {
                if (!ReadQuoted(line, pos, roles[f], out field, out fieldEnd)) return false;
            }
            else
            {
                int rel = line[pos..].IndexOf(delim);
                fieldEnd = rel < 0 ? line.Length : pos + rel;
                field = line[pos..fieldEnd];
            }
            switch (roles[f])
            {
                case RoleGene: gene = field; break;
                case RoleX: xs = field; break;
                case RoleY: ys = field; break;
                case RoleCount: cs = field; break;
                case RoleQuality: qv = field; break;
            }
            if (f == max) { pos = fieldEnd; break; }
            if (fieldEnd >= line.Length) throw TooFewFields(f + 1, gene);
            pos = fieldEnd + 1;
        }
        if (pos < line.Length && line[pos..].IndexOf((byte)'"') >= 0 && !QuotesClosed(line[(pos + 1)..])) return false;
        HandleRow(gene, xs, ys, cs, qv);
        return true;
    }

    /// <summary>Reads the quoted field starting at <paramref name="pos"/>; false when its closing quote is not in <paramref name="line"/>.</summary>
    private bool ReadQuoted(ReadOnlySpan<byte> line, int pos, byte role, out ReadOnlySpan<byte> field, out int fieldEnd)
    {
        field = default;
        fieldEnd = 0;
        int i = pos + 1;
        int q = line[i..].IndexOf((byte)'"');
        if (q < 0) return false;
        int close = i + q;
        int after = close + 1;
        if ((after == line.Length || line[after] == _delim))
        {
            field = line[i..close];
            fieldEnd = after;
            return true;
        }
        // Doubled quotes inside, or text after the closing quote: build the value in a scratch buffer.
        var sb = new List<byte>(line.Length - pos);
        sb.AddRange(line[i..close]);
        while (true)
        {
            if (after < line.Length && line[after] == (byte)'"')
            {
                sb.Add((byte)'"');
                int from = after + 1;
                q = line[from..].IndexOf((byte)'"');
                if (q < 0) return false;
                close = from + q;
                sb.AddRange(line[from..close]);
                after = close + 1;
                if (after == line.Length || line[after] == _delim) break;
                continue;
            }
            // Lenient like Python's csv: text after the closing quote belongs to the field.
            int rel = line[after..].IndexOf(_delim);
            int stop = rel < 0 ? line.Length : after + rel;
            sb.AddRange(line[after..stop]);
            after = stop;
            break;
        }
        var scratch = _scratch[role];
        if (scratch.Length < sb.Count) scratch = _scratch[role] = new byte[Math.Max(sb.Count, 64)];
        CollectionsMarshal.AsSpan(sb).CopyTo(scratch);
        field = scratch.AsSpan(0, sb.Count);
        fieldEnd = after;
        return true;
    }

    /// <summary>Whether the fields after the ones we need have all their quotes closed.</summary>
    private bool QuotesClosed(ReadOnlySpan<byte> rest)
    {
        int pos = 0;
        while (true)
        {
            if (pos < rest.Length && rest[pos] == (byte)'"')
            {
                int i = pos + 1;
                while (true)
                {
                    int q = rest[i..].IndexOf((byte)'"');
                    if (q < 0) return false;
                    i += q + 1;
                    if (i < rest.Length && rest[i] == (byte)'"') { i++; continue; }
                    break;
                }
                pos = i;
            }
            int rel = rest[pos..].IndexOf(_delim);
            if (rel < 0) return true;
            pos += rel + 1;
        }
    }
}
