using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Tells a named pipe, socket or device from a regular file before it is opened: opening a pipe that has no writer
/// blocks in the kernel, where neither Ctrl+C nor a cancellation token reaches it, and the readers need a file whose
/// length they know and that they can read more than once. Linux only (statx, whose record has one layout on every
/// architecture); elsewhere nothing is recognised.
/// </summary>
internal static class SpecialFile
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mask, stx_blksize, stx_attributes, stx_nlink, stx_uid, stx_gid, stx_mode
    private const int FileTypeMask = 0xF000;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);

    /// <summary>"a named pipe (FIFO)", "a socket", "a character device" or "a block device"; null for a regular file, a folder or when unknown.</summary>
    public static unsafe string? Describe(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        byte* buffer = stackalloc byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return null; // missing etc.: the open reports it
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // not glibc, or a glibc older than 2.28
        }
        int type = *(ushort*)(buffer + ModeOffset) & FileTypeMask;
        return type switch
        {
            0x1000 => "a named pipe (FIFO)",
            0xC000 => "a socket",
            0x2000 => "a character device",
            0x6000 => "a block device",
            _ => null,
        };
    }

    /// <summary>Refuses <paramref name="path"/> when it is not a regular file, before anything opens it.</summary>
    public static void EnsureRegular(string path)
    {
        if (Describe(path) is { } kind)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"'{path}' is {kind}, not a regular file. SpatialSim reads files whose length it knows (opening a pipe with no writer " +
                "would wait for ever); write the data to a file first and read that.")
            { FilePath = path };
    }
}
