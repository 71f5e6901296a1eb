<#
.SYNOPSIS
    Writes the measure sections of README.md and about_SpatialSim from the measures' descriptors.
.DESCRIPTION
    Each measure's facts live once, in its class's MeasureFacts (src/TorchCore/Similarity/<Measure>Similarity.cs): the
    one-line Summary, the cmdlet Parameters with their defaults (from the options' constants), the Guidance paragraph,
    what the tests check it against, and its References (DOI or arXiv). This script renders them:
      - README.md: the table between the lines <!-- measures:begin --> and <!-- measures:end -->;
      - about_SpatialSim: the entries between the line "THE MEASURES (-Method)" and the paragraph that starts
        "    -Pyramid" (text help has no invisible markers, so the section's own first and last lines are them).
    Run by `build.ps1 Docs`. With -Check it writes nothing and fails naming every file whose section differs from what
    the descriptors give (tests/Pester/MeasureDocs.Tests.ps1 runs it so).
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [string]$ReadmePath = (Join-Path $PSScriptRoot '../README.md'),
    [string]$AboutPath = (Join-Path $PSScriptRoot '../src/Module/en-US/about_SpatialSim.help.txt'),
    [switch]$Check
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$ReadmeBegin = '<!-- measures:begin -->'
$ReadmeEnd = '<!-- measures:end -->'
$AboutHeader = 'THE MEASURES (-Method)'
$AboutNextParagraph = '    -Pyramid'
$AboutWidth = 76

function Get-ShortCitation([SpatialSim.TorchCore.Similarity.MeasureReference]$reference) {
    # "Z. Wang, A. C. Bovik, … (2004). Title…" -> "Wang et al. 2004"; "J. Lin (1991). …" -> "Lin 1991"
    $authors = $reference.Citation.Substring(0, $reference.Citation.IndexOf(' ('))
    $year = [regex]::Match($reference.Citation, '\((\d{4})\)').Groups[1].Value
    $first = ($authors -split ', ')[0]
    $surname = ($first -split ' ')[-1]
    if ($authors.Contains(', ')) { "$surname et al. $year" } else { "$surname $year" }
}

function Get-ReadmeSection {
    $rows = foreach ($m in [SpatialSim.TorchCore.Similarity.SimilarityMeasures]::All) {
        $f = $m.Facts
        $papers = ($f.References | ForEach-Object { "[$(Get-ShortCitation $_)]($($_.Url))" }) -join ', '
        $cells = @("``$($m.Name)``", $f.Parameters, $f.Summary, $papers, $f.CheckedAgainst) | ForEach-Object { $_.Replace('|', '\|') }
        "| $($cells -join ' | ') |"
    }
    @('| method | parameters (defaults) | what it compares | paper | checked against |', '|---|---|---|---|---|') + $rows
}

function Format-Wrapped([string]$text, [int]$indent) {
    $pad = ' ' * $indent
    $line = ''
    foreach ($word in $text -split ' ') {
        if ($line -and $indent + $line.Length + 1 + $word.Length -gt $AboutWidth) { $pad + $line; $line = $word }
        elseif ($line) { $line += ' ' + $word }
        else { $line = $word }
    }
    if ($line) { $pad + $line }
}

function Get-AboutSection {
    foreach ($m in [SpatialSim.TorchCore.Similarity.SimilarityMeasures]::All) {
        $f = $m.Facts
        if ($f.Parameters) { "    $($m.Name) ($($f.Parameters))" } else { "    $($m.Name)" }
        Format-Wrapped $f.Guidance 8
        Format-Wrapped "Checked against: $($f.CheckedAgainst)." 8
        foreach ($r in $f.References) { Format-Wrapped "Reference: $($r.Citation). $($r.Url)" 8 }
        ''
    }
}

function Update-Section([string]$path, [scriptblock]$locate, [string[]]$section) {
    $lines = [System.IO.File]::ReadAllText($path) -split "`n"
    $begin, $end = & $locate $lines
    if ($begin -lt 0 -or $end -le $begin) { throw "$path has no measure section where build/Update-MeasureDocs.ps1 expects it." }
    $current = $lines[($begin + 1)..($end - 1)]
    if (($current -join "`n") -ceq ($section -join "`n")) { return $null }
    if ($Check) { return $path }
    $updated = @($lines[0..$begin]) + $section + @($lines[$end..($lines.Count - 1)])
    [System.IO.File]::WriteAllText($path, ($updated -join "`n"), [System.Text.UTF8Encoding]::new($false))
    Write-Host "  rewrote the measure section of $path"
    $null
}

$readmeLocate = { param($lines) [array]::IndexOf($lines, $ReadmeBegin), [array]::IndexOf($lines, $ReadmeEnd) }
$aboutLocate = {
    param($lines)
    $h = [array]::IndexOf($lines, $AboutHeader)
    $n = -1
    if ($h -ge 0) { for ($i = $h + 1; $i -lt $lines.Count; $i++) { if ($lines[$i].StartsWith($AboutNextParagraph)) { $n = $i; break } } }
    $h, $n
}
$drift = @(
    Update-Section $ReadmePath $readmeLocate (Get-ReadmeSection)
    Update-Section $AboutPath $aboutLocate (Get-AboutSection)) | Where-Object { $_ }
if ($drift) {
    throw "The measure section of $($drift -join ' and ') differs from the measures' descriptors (MeasureFacts): edit the facts in src/TorchCore/Similarity, then run 'dotnet pwsh ./build.ps1 Docs'."
}
