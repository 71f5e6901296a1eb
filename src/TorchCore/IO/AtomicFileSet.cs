namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Writes files that belong together (a .npy matrix and its gene list) so that all of them land or none does: each is
/// written to a temporary sibling first; only when every one is written and flushed are they renamed into place, and a
/// failure while renaming puts the previous files back.
/// </summary>
internal static class AtomicFileSet
{
    /// <summary>
    /// Writes every file of <paramref name="files"/> through <see cref="RasterFileIo.WriteAtomically"/>'s rules (never over an
    /// existing file without <paramref name="overwrite"/>; nothing left behind on failure or cancellation), all or nothing.
    /// </summary>
    public static void Write(IReadOnlyList<(string Path, Action<FileStream> Write)> files, bool overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        int n = files.Count;
        var full = new string[n];
        for (int i = 0; i < n; i++) full[i] = RasterFileIo.CheckTarget(files[i].Path, overwrite);
        if (full.Distinct(PathComparer).Count() != n)
            throw new ArgumentException("The files of one set must have different paths.", nameof(files));

        string suffix = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var temps = full.Select(f => f + ".tmp-" + suffix).ToArray();
        var backups = new string?[n];
        int written = 0, committed = 0;
        try
        {
            for (; written < n; written++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var fs = new FileStream(temps[written], FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
                files[written].Write(fs);
                fs.Flush(flushToDisk: true);
            }
            cancellationToken.ThrowIfCancellationRequested();
            for (; committed < n; committed++)
            {
                if (File.Exists(full[committed]))
                {
                    if (!overwrite) throw ExistsError(files[committed].Path);
                    backups[committed] = full[committed] + ".old-" + suffix;
                    File.Move(full[committed], backups[committed]!);
                }
                try { File.Move(temps[committed], full[committed], overwrite: false); }
                catch (IOException) when (File.Exists(full[committed]))
                {
                    throw ExistsError(files[committed].Path); // someone created it while we were writing
                }
            }
        }
        catch (Exception ex)
        {
            var kept = RollBack(full, temps, backups, committed);
            string note = kept.Count == 0 ? "" : $" The previous file(s) could not be put back and are kept as {string.Join(", ", kept.Select(k => $"'{k}'"))}.";
            string failed = files[written < n ? written : Math.Min(committed, n - 1)].Path;
            string none = n == 1 ? "" : $" None of {string.Join(", ", files.Select(f => $"'{f.Path}'"))} was changed.";
            switch (ex)
            {
                case SpatialSimException when note.Length == 0:
                    throw;
                case SpatialSimException se:
                    throw new SpatialSimException(se.Kind, se.Message + note, ex) { FilePath = failed };
                case IOException or UnauthorizedAccessException:
                    throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not write '{failed}': {ex.Message.Trim().TrimEnd('.')}.{none}{note}", ex) { FilePath = failed };
                default:
                    throw;
            }
        }
        foreach (var b in backups)
            if (b is not null) TryDelete(b);
    }

    /// <summary>Undoes a partly done set: removes the new files already renamed into place, restores the previous ones, deletes temporaries. Returns the backups that could not be restored.</summary>
    private static List<string> RollBack(string[] full, string[] temps, string?[] backups, int committed)
    {
        var kept = new List<string>();
        for (int i = 0; i < full.Length; i++)
        {
            if (i < committed) TryDelete(full[i]);
            TryDelete(temps[i]);
            if (backups[i] is { } b)
            {
                try { File.Move(b, full[i], overwrite: false); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { kept.Add(b); }
            }
        }
        return kept;
    }

    private static StringComparer PathComparer => OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    private static SpatialSimException ExistsError(string path)
        => new(ErrorKind.WriteConflict, $"File '{path}' already exists. Choose another name, or allow overwriting (-Force) to replace it.") { FilePath = path };

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* best effort */ }
    }
}
