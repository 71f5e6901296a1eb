# Reads and edits the version-need table (.gnu.version_r) of an ELF64 little-endian shared library.
#
# Why: TorchSharp 0.107.0's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so
# asks for GLIBCXX_3.4.32. The only symbol it takes at that version is
# std::ios_base_library_init(), a link-time marker with no relocation against it. Debian 12 and
# Ubuntu 22.04 ship libstdc++ with GLIBCXX_3.4.30, so the loader refuses the library. Marking
# that one need entry weak (vna_flags |= VER_FLG_WEAK) makes the loader accept a libstdc++
# without it. The build does this only when the system lacks the version, and only on its
# own staged copy of the library, never in the NuGet cache.

Set-StrictMode -Version Latest

$script:SHT_GNU_verneed = 0x6ffffffe
$script:VER_FLG_WEAK = 0x2

function Read-ElfVersionNeed {
    <# Lists the version-need entries: file, version name, flags and the byte offset of each flags field. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path)
    $bytes = [System.IO.File]::ReadAllBytes((Resolve-Path -LiteralPath $Path).ProviderPath)
    if ($bytes.Length -lt 64 -or $bytes[0] -ne 0x7f -or $bytes[1] -ne 0x45 -or $bytes[2] -ne 0x4c -or $bytes[3] -ne 0x46) {
        throw "'$Path' is not an ELF file."
    }
    if ($bytes[4] -ne 2 -or $bytes[5] -ne 1) { throw "'$Path' is not a 64-bit little-endian ELF file; only those are supported." }
    $shoff = [BitConverter]::ToUInt64($bytes, 0x28)
    $shentsize = [BitConverter]::ToUInt16($bytes, 0x3A)
    $shnum = [BitConverter]::ToUInt16($bytes, 0x3C)
    $sections = for ($i = 0; $i -lt $shnum; $i++) {
        $o = [int]($shoff + [uint64]($i * $shentsize))
        [pscustomobject]@{
            Type   = [BitConverter]::ToUInt32($bytes, $o + 4)
            Offset = [BitConverter]::ToUInt64($bytes, $o + 0x18)
            Size   = [BitConverter]::ToUInt64($bytes, $o + 0x20)
            Link   = [BitConverter]::ToUInt32($bytes, $o + 0x28)
            Info   = [BitConverter]::ToUInt32($bytes, $o + 0x2C)
        }
    }
    $verneed = @($sections | Where-Object Type -eq $script:SHT_GNU_verneed)
    if ($verneed.Count -eq 0) { return }
    $strtab = $sections[$verneed[0].Link]
    $readString = {
        param([uint32]$index)
        $start = [int]($strtab.Offset + $index)
        $end = $start
        while ($bytes[$end] -ne 0) { $end++ }
        [System.Text.Encoding]::ASCII.GetString($bytes, $start, $end - $start)
    }
    $entry = [int]$verneed[0].Offset
    for ($n = 0; $n -lt $verneed[0].Info; $n++) {
        $vnCnt = [BitConverter]::ToUInt16($bytes, $entry + 2)
        $vnFile = & $readString ([BitConverter]::ToUInt32($bytes, $entry + 4))
        $aux = $entry + [BitConverter]::ToUInt32($bytes, $entry + 8)
        for ($k = 0; $k -lt $vnCnt; $k++) {
            [pscustomobject]@{
                File        = $vnFile
                Version     = & $readString ([BitConverter]::ToUInt32($bytes, $aux + 8))
                Flags       = [BitConverter]::ToUInt16($bytes, $aux + 4)
                FlagsOffset = $aux + 4
            }
            $aux += [BitConverter]::ToUInt32($bytes, $aux + 12)
        }
        $next = [BitConverter]::ToUInt32($bytes, $entry + 12)
        if ($next -eq 0) { break }
        $entry += $next
    }
}

function Set-ElfVersionNeedWeak {
    <# Marks the need for one version (e.g. GLIBCXX_3.4.32) weak, in place. Returns $true if it changed the file. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][string]$Version)
    $entries = @(Read-ElfVersionNeed -Path $Path | Where-Object Version -eq $Version)
    if ($entries.Count -eq 0) { return $false }
    $changed = $false
    $stream = [System.IO.File]::Open((Resolve-Path -LiteralPath $Path).ProviderPath, 'Open', 'ReadWrite')
    try {
        foreach ($e in $entries) {
            if (($e.Flags -band $script:VER_FLG_WEAK) -ne 0) { continue }
            $flags = [uint16]($e.Flags -bor $script:VER_FLG_WEAK)
            $stream.Position = $e.FlagsOffset
            $stream.Write([BitConverter]::GetBytes($flags), 0, 2)
            $changed = $true
        }
    } finally { $stream.Dispose() }
    return $changed
}

function Test-SystemLibraryVersion {
    <# True when the system's copy of a library (found with ldconfig) defines the given version, e.g. libstdc++.so.6 / GLIBCXX_3.4.32. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$Library, [Parameter(Mandatory)][string]$Version)
    $candidates = @()
    $ldconfig = @('/sbin/ldconfig', '/usr/sbin/ldconfig') | Where-Object { Test-Path $_ } | Select-Object -First 1
    if ($ldconfig) {
        $candidates = @(& $ldconfig -p 2>$null | Where-Object { $_ -match "^\s*$([regex]::Escape($Library))\s.*x86-64.*=>\s*(\S+)" } | ForEach-Object { $Matches[1] })
    }
    if ($candidates.Count -eq 0) {
        $candidates = @('/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib') | ForEach-Object { Join-Path $_ $Library } | Where-Object { Test-Path $_ }
    }
    if ($candidates.Count -eq 0) { return $false }
    # Version names are NUL-terminated strings in the library's string table.
    $text = [System.Text.Encoding]::Latin1.GetString([System.IO.File]::ReadAllBytes($candidates[0]))
    return $text.Contains($Version + [char]0, [StringComparison]::Ordinal)
}

Export-ModuleMember -Function Read-ElfVersionNeed, Set-ElfVersionNeedWeak, Test-SystemLibraryVersion
