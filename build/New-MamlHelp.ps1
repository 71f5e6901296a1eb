<#
.SYNOPSIS
    Writes the module's MAML help (en-US/SpatialSim.Cmdlets.dll-Help.xml) from src/Module/help/*.psd1.
.DESCRIPTION
    Each src/Module/help/<Cmdlet>.psd1 holds the text a person writes: Synopsis, Description, a line for every
    parameter, Examples (Code and Remarks), Inputs, Outputs, Notes and Links. What the code already knows —
    parameter types, positions, mandatory, pipeline input, wildcards, parameter sets, and the default values
    (read from a new instance of the cmdlet, whose properties take them from the core's options records) — is
    read from the imported module, so help and code cannot drift apart. A parameter line may be a hashtable
    @{ Text = '…'; Default = '…' } where the value alone would not explain the default (e.g. 0 = automatic).
    A cmdlet without a help file, or a parameter without a line, is an error.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$HelpSource,
    [Parameter(Mandatory)][string]$OutFile
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$module = Get-Module SpatialSim
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$problems = [System.Collections.Generic.List[string]]::new()

# {{Type.Member}} in help text: the value of a public static member of a core type (e.g. {{SsimOptions.DefaultSigma}}),
# so a default written in the core's options is not written again in the help.
$coreTypes = @{}
foreach ($t in [SpatialSim.TorchCore.GeneRaster].Assembly.GetExportedTypes()) { $coreTypes[$t.Name] = $t }
# {{Measures}}: one paragraph per measure from its descriptor (SimilarityMeasures.All): its summary, score range, self
# score and whether it takes a mask or an automatic σ — the facts the code dispatches on, written once in the core.
function Get-MeasureList {
    $invariant = [cultureinfo]::InvariantCulture
    $lines = foreach ($m in [SpatialSim.TorchCore.Similarity.SimilarityMeasures]::All) {
        $f = $m.Facts
        $bound = { param($v) if ([double]::IsInfinity($v)) { if ($v -gt 0) { '∞' } else { '−∞' } } else { $v.ToString($invariant) } }
        $facts = @("Score in [$(& $bound $f.Minimum), $(& $bound $f.Maximum)]")
        if ($null -ne $f.SelfScore) { $facts += "$($f.SelfScore.ToString($invariant)) for identical maps" }
        if ($f.TakesMask) { $facts += 'takes -Mask (and the automatic tissue mask)' }
        if ($f.AutomaticSigma) { $facts += 'σ chosen from the data without -Sigma' }
        "$($m.Name): $($f.Summary) $(($facts -join '; '))."
    }
    $lines -join "`n`n"
}

function Expand-CoreValues([string]$text) {
    if ($text.Contains('{{Measures}}')) { $text = $text.Replace('{{Measures}}', (Get-MeasureList)) }
    [regex]::Replace($text, '\{\{(\w+)\.(\w+)\}\}', {
        param($m)
        $type = $coreTypes[$m.Groups[1].Value]
        $member = if ($type) { $type.GetMember($m.Groups[2].Value, 'Public, Static') | Select-Object -First 1 }
        if (-not $member) { $problems.Add("help text names {{$($m.Groups[1].Value).$($m.Groups[2].Value)}}, which is no public static member of a core type"); return $m.Value }
        $value = $member.GetValue($null)
        @(foreach ($v in @($value)) { if ($v -is [System.IFormattable]) { $v.ToString($null, [cultureinfo]::InvariantCulture) } else { "$v" } }) -join ','
    })
}

function Write-Paragraphs([System.Xml.XmlWriter]$w, [string]$text) {
    $text = Expand-CoreValues $text
    foreach ($para in ($text -split "\r?\n\s*\r?\n")) {
        $w.WriteElementString('para', $ns.maml, (($para -split '\r?\n' | ForEach-Object Trim) -join ' ').Trim())
    }
}

function Get-TypeName([type]$t) {
    if ($t -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $name = $t.Name
    if ($t.IsGenericType -and $t.GetGenericTypeDefinition() -eq [Nullable`1]) { $name = $t.GetGenericArguments()[0].Name }
    return $name
}

function Get-DefaultText($instance, [string]$name, $entry) {
    if ($entry -is [hashtable] -and $entry.ContainsKey('Default')) { return [string]$entry.Default }
    if ($null -eq $instance) { return 'None' }
    $value = $instance.GetType().GetProperty($name).GetValue($instance)
    if ($null -eq $value) { return 'None' }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return "$($value.IsPresent)" }
    $format = { param($v) if ($v -is [System.IFormattable]) { $v.ToString($null, [cultureinfo]::InvariantCulture) } else { "$v" } }
    if ($value -is [array]) { return (@($value | ForEach-Object { & $format $_ }) -join ',') }
    return (& $format $value)
}

function Get-PipelineText($p) {
    $kinds = @()
    if ($p.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($p.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

$stream = [System.IO.File]::Create($OutFile)
$w = [System.Xml.XmlWriter]::Create($stream, $settings)
try {
    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', 'http://msh')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($cmd in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
        $file = Join-Path $HelpSource "$($cmd.Name).psd1"
        if (-not (Test-Path $file)) { $problems.Add("$($cmd.Name): no help file $file"); continue }
        $help = Import-PowerShellDataFile $file
        # 'SharedParameters' names a data file of parameter lines several cmdlets share (e.g. the measures' options).
        if ($help.ContainsKey('SharedParameters')) {
            $shared = Import-PowerShellDataFile (Join-Path $HelpSource $help.SharedParameters)
            foreach ($k in $shared.Keys) { if (-not $help.Parameters.ContainsKey($k)) { $help.Parameters[$k] = $shared[$k] } }
        }
        foreach ($key in 'Synopsis', 'Description', 'Parameters', 'Examples') {
            if (-not $help.ContainsKey($key) -or -not $help[$key]) { $problems.Add("$($cmd.Name): help has no $key") }
        }
        if (@($help.Examples).Count -lt 2) { $problems.Add("$($cmd.Name): fewer than two examples") }
        $parameters = $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }
        foreach ($p in $parameters) {
            if (-not $help.Parameters.ContainsKey($p.Name)) { $problems.Add("$($cmd.Name): parameter -$($p.Name) has no help") }
        }

        $w.WriteStartElement('command', 'command', $ns.command)
        $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
        $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
        $w.WriteStartElement('details', $ns.command)
        $w.WriteElementString('name', $ns.command, $cmd.Name)
        $w.WriteStartElement('description', $ns.maml); Write-Paragraphs $w $help.Synopsis; $w.WriteEndElement()
        $w.WriteElementString('verb', $ns.command, $cmd.Verb)
        $w.WriteElementString('noun', $ns.command, $cmd.Noun)
        $w.WriteEndElement()
        $w.WriteStartElement('description', $ns.maml); Write-Paragraphs $w $help.Description; $w.WriteEndElement()

        $w.WriteStartElement('syntax', $ns.command)
        foreach ($set in $cmd.ParameterSets) {
            $w.WriteStartElement('syntaxItem', $ns.command)
            $w.WriteElementString('name', $ns.maml, $cmd.Name)
            foreach ($p in ($set.Parameters | Where-Object { $_.Name -notin $common })) {
                $w.WriteStartElement('parameter', $ns.command)
                $w.WriteAttributeString('required', "$($p.IsMandatory)".ToLowerInvariant())
                $w.WriteAttributeString('position', $(if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }))
                $w.WriteAttributeString('pipelineInput', (Get-PipelineText $p))
                $w.WriteElementString('name', $ns.maml, $p.Name)
                if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                    $w.WriteStartElement('parameterValue', $ns.command); $w.WriteAttributeString('required', 'true')
                    $w.WriteString((Get-TypeName $p.ParameterType)); $w.WriteEndElement()
                }
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        # Default values come from a fresh instance of the cmdlet: its property initialisers read the core's options.
        $instance = try { [Activator]::CreateInstance($cmd.ImplementingType) } catch { $null }
        $w.WriteStartElement('parameters', $ns.command)
        foreach ($p in ($parameters | Sort-Object Name)) {
            $entry = $help.Parameters[$p.Name]
            $text = if ($entry -is [hashtable]) { [string]$entry.Text } else { [string]$entry }
            $first = $cmd.ParameterSets.Parameters | Where-Object Name -eq $p.Name | Select-Object -First 1
            $w.WriteStartElement('parameter', $ns.command)
            $w.WriteAttributeString('required', "$($first.IsMandatory)".ToLowerInvariant())
            $w.WriteAttributeString('globbing', "$([bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLowerInvariant())
            $w.WriteAttributeString('pipelineInput', (Get-PipelineText $first))
            $w.WriteAttributeString('position', $(if ($first.Position -ge 0) { "$($first.Position)" } else { 'named' }))
            $w.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
            $w.WriteElementString('name', $ns.maml, $p.Name)
            $w.WriteStartElement('description', $ns.maml); Write-Paragraphs $w $text; $w.WriteEndElement()
            $typeName = Get-TypeName $p.ParameterType
            $w.WriteStartElement('parameterValue', $ns.command); $w.WriteAttributeString('required', 'true'); $w.WriteString($typeName); $w.WriteEndElement()
            $w.WriteStartElement('type', $ns.dev); $w.WriteElementString('name', $ns.maml, $typeName); $w.WriteEndElement()
            $w.WriteElementString('defaultValue', $ns.dev, (Get-DefaultText $instance $p.Name $entry))
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        foreach ($io in @(@('inputTypes', 'inputType', 'Inputs'), @('returnValues', 'returnValue', 'Outputs'))) {
            $w.WriteStartElement($io[0], $ns.command)
            foreach ($item in @($help[$io[2]])) {
                if (-not $item) { continue }
                $w.WriteStartElement($io[1], $ns.command)
                $w.WriteStartElement('type', $ns.dev); $w.WriteElementString('name', $ns.maml, ($item -split ':', 2)[0].Trim()); $w.WriteEndElement()
                $w.WriteStartElement('description', $ns.maml); Write-Paragraphs $w (($item -split ':', 2)[-1].Trim()); $w.WriteEndElement()
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }
        if ($help.ContainsKey('Notes')) {
            $w.WriteStartElement('alertSet', $ns.maml); $w.WriteStartElement('alert', $ns.maml)
            Write-Paragraphs $w $help.Notes
            $w.WriteEndElement(); $w.WriteEndElement()
        }
        $w.WriteStartElement('examples', $ns.command)
        $n = 0
        foreach ($ex in $help.Examples) {
            $n++
            $w.WriteStartElement('example', $ns.command)
            $w.WriteElementString('title', $ns.maml, "-------------------------- Example $n`: $($ex.Title) --------------------------")
            $w.WriteElementString('code', $ns.dev, $ex.Code.Trim())
            $w.WriteStartElement('remarks', $ns.dev); Write-Paragraphs $w $ex.Remarks; $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteStartElement('relatedLinks', $ns.command)
        foreach ($link in @($help['Links'])) {
            if (-not $link) { continue }
            $w.WriteStartElement('navigationLink', $ns.maml); $w.WriteElementString('linkText', $ns.maml, $link); $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
} finally {
    $w.Dispose(); $stream.Dispose()
}
if ($problems.Count) {
    Remove-Item $OutFile
    throw "Help is incomplete:`n  " + ($problems -join "`n  ")
}
