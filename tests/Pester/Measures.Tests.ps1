# Every measure of -Method, from a user's point of view: the same meaning (higher = more similar), scale invariance,
# identical maps best, NaN with a warning for an empty gene, and Get-RankedPairs agreeing with pair-by-pair scores.
BeforeDiscovery {
    $modulePath = if ($env:SPATIALSIM_MODULE_PATH) { $env:SPATIALSIM_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/SpatialSim' }
    Import-Module $modulePath
    $script:methods = [Enum]::GetNames([SpatialSim.TorchCore.Similarity.SimilarityMethod]) | ForEach-Object { @{ Method = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:genes = Import-GeneRaster -Path (New-MultiBlobTable -Path (Join-Path $TestDrive 'multi.csv')) -Gene A, B, C, D
    $script:A, $script:B, $script:C, $script:D = $genes
    $script:empty = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'empty.csv') -Rows @(@('E', 0, 0, 0), @('E', 255, 223, 0)))
    function Score($x, $y, $m) { (Measure-PatternSimilarity -Reference $x -InputObject $y -Method $m -WarningAction SilentlyContinue).Score }
}

Describe '-Method <Method>' -ForEach $methods {
    It 'scores a gene against itself best' {
        $self = Score $A $A $Method
        [double]::IsNaN($self) | Should -BeFalse
        $self | Should -BeGreaterOrEqual (Score $A $C $Method)
        $self | Should -BeGreaterOrEqual (Score $A $D $Method)
    }

    It 'ignores the overall level (B is A at half strength)' {
        (Score $A $B $Method) | Should -BeGreaterOrEqual ((Score $A $A $Method) - 1e-4 * [math]::Max(1, [math]::Abs((Score $A $A $Method))))
    }

    # Keypoints is a step function of the shift by design (a match counts within -MaxShift or not at all); its
    # in-between case is tested in the core suite with a sub-pixel-quantised shift.
    It 'puts a shifted copy between identical and unrelated' -Skip:($Method -eq 'Keypoints') {
        $self = Score $A $A $Method; $shifted = Score $A $C $Method; $other = Score $A $D $Method
        $shifted | Should -BeLessThan $self
        $shifted | Should -BeGreaterThan $other
    }

    It 'gives NaN and a warning naming an empty gene' {
        $r = Measure-PatternSimilarity -Reference $A -InputObject $empty -Method $Method -WarningVariable w -WarningAction SilentlyContinue
        [double]::IsNaN($r.Score) | Should -BeTrue
        $w | Should -Not -BeNullOrEmpty
        $r.Note | Should -BeLike "*'E'*"
    }

    It 'ranks with Get-RankedPairs as pair-by-pair scores do' {
        $ranked = $genes | Get-RankedPairs -Method $Method
        $ranked.Count | Should -Be 6
        # Get-RankedPairs chooses σ and the tissue from all genes; give the pair the same (Measure-PatternSimilarity alone
        # would choose them from the two rasters it compares).
        $mask = if ($Method -in 'Pearson', 'SmoothedPearson') { @{ Mask = $genes | Get-TissueMask } } else { @{} }
        $sigma = [SpatialSim.TorchCore.Similarity.AdaptiveScale]::ChooseSigma([SpatialSim.TorchCore.GeneRaster[]]$genes)
        if ($Method -eq 'SmoothedPearson') { $mask.Sigma = $sigma }
        if ($Method -eq 'RoiPearson') { $mask.Sigma = $sigma / 2 }
        foreach ($p in $ranked) {
            $x = $genes | Where-Object Gene -eq $p.GeneA; $y = $genes | Where-Object Gene -eq $p.GeneB
            $pairwise = (Measure-PatternSimilarity -Reference $x -InputObject $y -Method $Method @mask -WarningAction SilentlyContinue).Score
            [math]::Abs($p.Score - $pairwise) | Should -BeLessOrEqual (1e-4 * [math]::Max(1, [math]::Abs($pairwise)))
        }
    }
}

Describe 'Sinkhorn parameters' {
    It 'reports the automatic ε and iterates longer for a tighter -Tolerance' {
        $default = Measure-PatternSimilarity -Reference $A -InputObject $C -Method Sinkhorn
        $tight = Measure-PatternSimilarity -Reference $A -InputObject $C -Method Sinkhorn -Tolerance 1e-8
        $default.Details['Epsilon'] | Should -BeGreaterOrEqual 1
        $default.Details['Marginal error'] | Should -BeLessThan 1e-4
        $tight.Details['Marginal error'] | Should -BeLessThan 1e-8
        $tight.Details['Iterations'] | Should -BeGreaterThan $default.Details['Iterations']
        # The two stopping points agree on the distance to far better than the measure's 2% accuracy.
        [math]::Abs($tight.Score - $default.Score) | Should -BeLessThan (1e-3 * [math]::Abs($tight.Score))
    }

    It 'shows the ε used in Parameters, the automatic one resolved for the canvas' {
        $default = Measure-PatternSimilarity -Reference $A -InputObject $C -Method Sinkhorn
        $default.Parameters | Should -BeLike "ε=$($default.Details['Epsilon'])px² (auto) *"
        $default.Details['Epsilon'] | Should -Be 16  # the 256×224 canvas: max(1, (256/64)²)
        (Measure-PatternSimilarity -Reference $A -InputObject $C -Method Sinkhorn -Epsilon 9).Parameters | Should -BeLike 'ε=9px² maxiter=*'
        $ranked = $genes | Get-RankedPairs -Method Sinkhorn
        $ranked[0].Parameters | Should -BeLike 'ε=16px² (auto) *'
    }

    It 'says which iterations ran out, in a note, when -MaxIterations is too small' {
        $r = Measure-PatternSimilarity -Reference $A -InputObject $D -Method Sinkhorn -Epsilon 1 -Tolerance 1e-10 -MaxIterations 1
        $r.Note | Should -Match 'did not reach marginal error'
        [double]::IsNaN($r.Score) | Should -BeFalse
    }

    It 'refuses a tolerance of 0 before computing anything' {
        { Measure-PatternSimilarity -Reference $A -InputObject $C -Method Sinkhorn -Tolerance 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
