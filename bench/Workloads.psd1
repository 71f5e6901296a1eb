# The benchmark's workload table, read by bench/Invoke-Benchmark.ps1: one row per line of BENCHMARKS.md.
#
#   Id           unique row id
#   Title        the row's name; {param} is replaced by the parameter's value
#   Workload     the name both workers implement it under (WorkloadRegistry.cs for ours, WORKLOADS in
#                bench/peers/peer.py for the peer); module_start is run by the orchestrator itself
#   Peer         what the peer runs, or absent when the row has no peer
#   Params       the workload's parameters, sent to both sides; probes = n becomes n flat pixel indices spread
#                over the output (the same for both sides), where the outputs are compared
#   Quick        parameters that -Quick overrides; a row without Quick is left out of -Quick runs
#   Inputs       files generated (by our worker, deterministically) before the row and shared by both sides:
#                name = spec (kind counts|maps|gem, see bench/SpatialSim.Bench/SyntheticData.cs); '{param}' values
#                are replaced by the parameter; cache = $true keeps the file between runs (Invoke-Benchmark.ps1 -InputCache), for
#                inputs that take minutes to make
#   Reps         repetitions (each: ours, then the peer); the median is reported. QuickReps in -Quick
#   Budget       seconds: no further repetition starts when it would probably end past this (at least one runs)
#   Goal         (optional: a row without one is reported for information) MinRatio (peer time / ours), MaxSeconds (ours), MinMBps (ours), MaxPeakGB (ours),
#                MaxRelError (ours against the peer's reference value, named by Reference)
#   FullOnly     the row runs only with -Full; otherwise it is reported as skipped for this reason
#   Cmdlet       (optional) the same work through the cmdlets, as a user types it, in a fresh pwsh with the module
#                imported (bench/CmdletWorker.ps1): Setup (not timed) and Command (timed; its output is collected and
#                summarised like the core's), PowerShell text that sees $Params and $Inputs. Goals MinCmdletRatio
#                (peer time / cmdlet time) and MaxCmdletOverCore (cmdlet time / core time) apply to it
#
# Sinkhorn: ε is in pixels² (cost = squared distance in pixels). At ε = 1 the entropic optimum of the 64² pair
# is within about 1% of the exact emd2, and POT's sinkhorn2 needs about 3,400 iterations to bring the marginal
# error under 1e-4 (about 2 minutes on this machine's reference BLAS); with fewer iterations it is far off
# (38% after 1,000). Our solver must use the same ε and stopping rule for the ratio to mean anything.
# epsilon = 0 is SpatialSim's automatic ε, max(1, (L/64)²) px² for a canvas of longer side L.
@{
    Rows = @(
        @{
            Id = 'blur-4'; Title = 'Gaussian blur {size}², σ={sigma}, float32'
            Workload = 'gaussian_blur'; Peer = 'scipy.ndimage.gaussian_filter'
            Params = @{ size = 10000; sigma = 4; probes = 32 }; Quick = @{ size = 1024 }
            Inputs = @{ image = @{ kind = 'counts'; size = '{size}'; density = 0.05; seed = 1 } }
            Cmdlet = @{ Setup = '$image = Import-GeneRaster -LiteralPath $Inputs.image -Gene image'; Command = '$image | Invoke-Smoothing -Sigma $Params.sigma' }
            Reps = 3; QuickReps = 1; Budget = 150
            Goal = @{ MinRatio = 8; MinCmdletRatio = 8; MaxCmdletOverCore = 1.3 }
        }
        @{
            Id = 'blur-32'; Title = 'Gaussian blur {size}², σ={sigma}, float32'
            Workload = 'gaussian_blur'; Peer = 'scipy.ndimage.gaussian_filter'
            Params = @{ size = 10000; sigma = 32; probes = 32 }; Quick = @{ size = 1024 }
            Inputs = @{ image = @{ kind = 'counts'; size = '{size}'; density = 0.05; seed = 1 } }
            Cmdlet = @{ Setup = '$image = Import-GeneRaster -LiteralPath $Inputs.image -Gene image'; Command = '$image | Invoke-Smoothing -Sigma $Params.sigma' }
            Reps = 3; QuickReps = 1; Budget = 200
            Goal = @{ MinRatio = 20; MinCmdletRatio = 20; MaxCmdletOverCore = 1.3 }
        }
        @{
            Id = 'ssim'; Title = 'SSIM {size}², Wang et al. 2004 parameters'
            Workload = 'ssim'; Peer = 'skimage structural_similarity (Gaussian σ=1.5, population covariance, data_range=1)'
            Params = @{ size = 4096 }; Quick = @{ size = 512 }
            Inputs = @{ maps = @{ kind = 'maps'; planes = 2; size = '{size}'; noise = 0.2; seed = 3 } }
            Cmdlet = @{ Setup = '$a, $b = Import-GeneRaster -LiteralPath $Inputs.maps -Gene A, B'; Command = '$b | Measure-PatternSimilarity -Reference $a -Method Ssim' }
            Reps = 3; QuickReps = 1; Budget = 60
            Goal = @{ MinRatio = 8; MaxCmdletOverCore = 1.3 }
        }
        @{
            # Issue #17: the default Get-RankedPairs as users type it, on the 'pearson' row's genes: σ by count splitting, the
            # working grid, the tissue mask, then the ranking. The core side is the same defaults called directly (AnalysisDefaults
            # + CorrelationGram). No peer: the peers have no automatic σ or mask (the 'pearson' row compares the ranking itself).
            Id = 'default-synthetic'; Title = 'Default ranking (no options), {genes} genes × {size}², through Get-RankedPairs'
            Workload = 'default_ranking'
            Params = @{ genes = 200; size = 1024 }; Quick = @{ genes = 20; size = 256 }
            Inputs = @{ genes = @{ kind = 'counts'; planes = '{genes}'; size = '{size}'; density = 0.02; seed = 4 } }
            Cmdlet = @{
                Setup = '$genes = Import-GeneRaster -LiteralPath $Inputs.genes -Gene (0..($Params.genes - 1) | ForEach-Object { "gene$_" })'
                Command = '$genes | Get-RankedPairs'
            }
            Reps = 3; QuickReps = 2; Budget = 200
            Goal = @{ MaxCmdletOverCore = 1.3 }
        }
        @{
            Id = 'pearson'; Title = 'All pairs smoothed Pearson, {genes} genes × {size}², σ={sigma}'
            Workload = 'smoothed_pearson_all_pairs'; Peer = 'scipy gaussian_filter per gene + numpy.corrcoef'
            Params = @{ genes = 200; size = 1024; sigma = 4 }; Quick = @{ genes = 20; size = 256 }
            Inputs = @{ genes = @{ kind = 'counts'; planes = '{genes}'; size = '{size}'; density = 0.02; seed = 4 } }
            Cmdlet = @{
                Setup = '$genes = Import-GeneRaster -LiteralPath $Inputs.genes -Gene (0..($Params.genes - 1) | ForEach-Object { "gene$_" })'
                Command = '$genes | Get-RankedPairs -Method SmoothedPearson -Sigma $Params.sigma'
            }
            Reps = 3; QuickReps = 2; Budget = 200
            Goal = @{ MinRatio = 10; MinCmdletRatio = 10; MaxCmdletOverCore = 1.3 }
        }
        @{
            Id = 'sinkhorn-64'; Title = 'Sinkhorn W2 between two {size}² maps, ε={epsilon} px²'
            Workload = 'sinkhorn_w2'; Peer = 'POT ot.sinkhorn2 (same ε and stopping rule); accuracy: ot.emd2'
            Params = @{ size = 64; epsilon = 1; tolerance = 1e-4; maxIterations = 10000 }; Quick = @{ size = 24 }
            Inputs = @{ maps = @{ kind = 'maps'; planes = 2; size = '{size}'; noise = 0.1; seed = 5 } }
            Reps = 3; QuickReps = 1; Budget = 150
            Goal = @{ MinRatio = 20; MaxRelError = 0.02; Reference = 'emd2' }
        }
        @{
            # The default ε of a 256² canvas, max(1, (256/64)²) = 16 px² (an entropic blur of 4 pixels): what a user runs.
            Id = 'sinkhorn-256'; Title = 'Sinkhorn W2 between two {size}² maps, default ε'
            Workload = 'sinkhorn_w2'
            Params = @{ size = 256; epsilon = 0; tolerance = 1e-4; maxIterations = 10000 }; Quick = @{ size = 64 }
            Inputs = @{ maps = @{ kind = 'maps'; planes = 2; size = '{size}'; noise = 0.1; seed = 6 } }
            Reps = 3; QuickReps = 1; Budget = 60
            Goal = @{ MaxSeconds = 0.5 }
        }
        @{
            # Sparse gene-like counts (5% non-zero): the exact emd2 on the non-zero pixels is both the accuracy reference
            # and the timed peer (a dense cost matrix over all 256² pixels would need 34 GB).
            Id = 'sinkhorn-256-counts'; Title = 'Sinkhorn W2 between two {size}² count maps (5% non-zero), default ε'
            Workload = 'sinkhorn_w2'; Peer = 'POT ot.emd2 on the non-zero pixels (exact W2²)'
            Params = @{ size = 256; epsilon = 0; tolerance = 1e-4; maxIterations = 10000; peer = 'emd2' }; Quick = @{ size = 64 }
            Inputs = @{ maps = @{ kind = 'counts'; planes = 2; size = '{size}'; density = 0.05; seed = 11 } }
            Reps = 3; QuickReps = 1; Budget = 120
            Goal = @{ MaxSeconds = 0.5; MaxRelError = 0.02; Reference = 'emd2' }
        }
        @{
            # The sharpest ε at full size (an entropic blur of 1 pixel): the 0.5 s goal holds here too.
            Id = 'sinkhorn-256-eps1'; Title = 'Sinkhorn W2 between two {size}² maps, ε={epsilon} px²'
            Workload = 'sinkhorn_w2'
            Params = @{ size = 256; epsilon = 1; tolerance = 1e-4; maxIterations = 10000 }; Quick = @{ size = 64 }
            Inputs = @{ maps = @{ kind = 'maps'; planes = 2; size = '{size}'; noise = 0.1; seed = 6 } }
            Reps = 3; QuickReps = 1; Budget = 60
            Goal = @{ MaxSeconds = 0.5 }
        }
        @{
            # Sparse counts at ε = 1 px²: nearly unregularised transport between ~3,300 scattered points, where Sinkhorn
            # converges slowly (about 1,800 iterations). Reported, with no goal: the default ε is what a user runs.
            Id = 'sinkhorn-256-counts-eps1'; Title = 'Sinkhorn W2 between two {size}² count maps (5% non-zero), ε={epsilon} px²'
            Workload = 'sinkhorn_w2'; Peer = 'POT ot.emd2 on the non-zero pixels (exact W2²)'
            Params = @{ size = 256; epsilon = 1; tolerance = 1e-4; maxIterations = 10000; peer = 'emd2' }
            Inputs = @{ maps = @{ kind = 'counts'; planes = 2; size = '{size}'; density = 0.05; seed = 11 } }
            Reps = 1; Budget = 60
        }
        @{
            Id = 'lbp'; Title = 'LBP P={points}, R={radius}, uniform, {size}²'
            Workload = 'local_binary_pattern'; Peer = 'skimage local_binary_pattern'
            Params = @{ size = 2048; points = 24; radius = 8 }; Quick = @{ size = 256 }
            Inputs = @{ image = @{ kind = 'maps'; size = '{size}'; noise = 0.2; seed = 7 } }
            Reps = 3; QuickReps = 1; Budget = 60
            Goal = @{ MinRatio = 5 }
        }
        @{
            Id = 'gem'; Title = 'GEM import, {rows} rows'
            Workload = 'gem_import'
            Params = @{ rows = 10000000 }; Quick = @{ rows = 100000 }
            Inputs = @{ table = @{ kind = 'gem'; rows = '{rows}'; genes = 2000; size = 8000; seed = 8 } }
            Cmdlet = @{ Command = 'Import-GeneRaster -LiteralPath $Inputs.table' }
            Reps = 3; QuickReps = 1; Budget = 120
            Goal = @{ MinMBps = 200; MaxCmdletOverCore = 1.3 }
        }
        @{
            # A Xenium run of 50 million transcripts (about 1.6 GB of Parquet, 450 genes and controls on a 10 × 10 mm section);
            # read at the defaults: qv ≥ 20, control codewords left out, 1 µm pixels. The file is generated once and cached.
            Id = 'xenium-parquet'; Title = 'Xenium transcripts.parquet import, {rows} rows'
            Workload = 'xenium_parquet_import'
            Params = @{ rows = 50000000 }; Quick = @{ rows = 200000 }
            Inputs = @{ table = @{ kind = 'xenium'; rows = '{rows}'; genes = 400; size = 10000; seed = 12; cache = $true } }
            Reps = 3; QuickReps = 1; Budget = 180
            Goal = @{ MaxSeconds = 30 }
        }
        @{
            # Spot × gene data at Visium HD scale: 100,000 spots × 18,000 genes, 5% non-zero (90 M counts, 720 MB as X stores
            # them: float32 counts + int32 indices), read as Import-GeneRaster does (normalised per spot, default spot QC) with
            # every gene's raster held (8 bytes per count). The file is written once (PureHDF, uncompressed CSR as anndata's
            # default) and cached (-InputCache). Peak goal: twice the non-zero data, plus the worker's own ~0.2 GB.
            Id = 'h5ad'; Title = 'AnnData .h5ad import, {spots} spots × {genes} genes (CSR, 5% non-zero)'
            Workload = 'h5ad_import'
            Params = @{ spots = 100000; genes = 18000 }; Quick = @{ spots = 5000; genes = 2000 }
            Inputs = @{ matrix = @{ kind = 'h5ad'; spots = '{spots}'; genes = '{genes}'; density = 0.05; size = 400; seed = 12; cache = $true } }
            Reps = 3; QuickReps = 1; Budget = 150
            Goal = @{ MaxSeconds = 20; MaxPeakGB = 1.65 }
        }
        @{
            Id = 'ranking'; Title = 'Ranking {genes} genes × {size}² (≈1% non-zero), smoothed Pearson σ={sigma}'
            Workload = 'smoothed_pearson_ranking'
            Params = @{ genes = 100; size = 10000; density = 0.01; sigma = 4; seed = 9 }
            Reps = 1; Budget = 900
            Goal = @{ MaxSeconds = 600; MaxPeakGB = 8 }
            FullOnly = 'chip scale: 100 genes × 10000², about a minute and 1.5 GB peak on 2 idle cores (sparse genes, Gram path in strips)'
        }
        @{
            # The product's promise on real data (issue #12): `Import-GeneRaster X | Get-RankedPairs` with no options — σ from
            # the data, the working grid, the tissue mask. Real files in ../shared/data (skipped when absent), the bundled patch.
            Id = 'default-ca1'; Title = 'Default ranking, CA1 ISS (Qian 2020), 92 genes, bin {bin} (full resolution)'
            Workload = 'default_ranking'
            Params = @{ file = '../shared/data/ca1_iss_qian2020/spots.csv'; bin = 1 }; Quick = @{}
            Reps = 3; QuickReps = 1; Budget = 120
            Goal = @{ MaxSeconds = 20 }
        }
        @{
            Id = 'default-ca1-bin10'; Title = 'Default ranking, CA1 ISS (Qian 2020), 92 genes, bin {bin}'
            Workload = 'default_ranking'
            Params = @{ file = '../shared/data/ca1_iss_qian2020/spots.csv'; bin = 10 }; Quick = @{}
            Reps = 3; QuickReps = 1; Budget = 60
        }
        @{
            # The wide spot × gene matrix with its spot table, as Import-GeneRaster -SpotTable reads it (per-spot normalisation); genes with ≥ 1000 counts.
            Id = 'default-mob'; Title = 'Default ranking, MOB ST (Ståhl 2016), genes ≥ 1000 counts, bin {bin}'
            Workload = 'default_ranking'
            Params = @{ file = '../shared/data/mob_st_stahl2016_rep11/counts_genes_min100.csv'; spots = '../shared/data/mob_st_stahl2016_rep11/spots.csv'; bin = 1; minTotal = 1000 }; Quick = @{}
            Reps = 3; QuickReps = 1; Budget = 60
        }
        @{
            # Bin 10 of a 21 × 16 spot grid is 3 × 2 pixels: bin 2 is the coarser ranking that still has a pattern.
            Id = 'default-mob-bin2'; Title = 'Default ranking, MOB ST (Ståhl 2016), genes ≥ 1000 counts, bin {bin}'
            Workload = 'default_ranking'
            Params = @{ file = '../shared/data/mob_st_stahl2016_rep11/counts_genes_min100.csv'; spots = '../shared/data/mob_st_stahl2016_rep11/spots.csv'; bin = 2; minTotal = 1000 }; Quick = @{}
            Reps = 3; QuickReps = 1; Budget = 60
        }
        @{
            Id = 'default-stereoseq'; Title = 'Default ranking, Stereo-seq patch (bundled), genes ≥ 50 counts, bin {bin}'
            Workload = 'default_ranking'
            Params = @{ file = 'samples/stereoseq_mouse_brain_bin1/SS200000135TL_D1_bin1_small.gem.gz'; bin = 1; minTotal = 50 }; Quick = @{}
            Reps = 3; QuickReps = 1; Budget = 60
        }
        @{
            Id = 'default-stereoseq-bin10'; Title = 'Default ranking, Stereo-seq patch (bundled), genes ≥ 50 counts, bin {bin}'
            Workload = 'default_ranking'
            Params = @{ file = 'samples/stereoseq_mouse_brain_bin1/SS200000135TL_D1_bin1_small.gem.gz'; bin = 10; minTotal = 50 }; Quick = @{}
            Reps = 3; QuickReps = 1; Budget = 60
        }
        @{
            # Issue #14: a whole transcriptome on one machine. All 12.5 million pairs scored (streamed in bands, never a
            # G × G matrix of pair objects), each gene's 20 best partners kept, the 5,000² matrix written to a .npy as it
            # streams, then 20 modules by average linkage (nearest-neighbour chain) read back from that file.
            Id = 'transcriptome-5k'; Title = 'Whole transcriptome: {genes} genes × {size}² (≈1% non-zero), σ={sigma}, top-{topPerGene} per gene, matrix + modules'
            Workload = 'transcriptome_ranking'
            Params = @{ genes = 5000; size = 1000; density = 0.01; sigma = 4; seed = 14; topPerGene = 20; modules = 20; maxMemoryGB = 3.5 }
            Quick = @{ genes = 300; size = 200 }
            Reps = 1; QuickReps = 1; Budget = 1800
            Goal = @{ MaxSeconds = 300; MaxPeakGB = 4 }
        }
        @{
            # 20,000 genes (a whole Stereo-seq / Visium HD panel) through -Shard on one machine: 8 shards one after the other,
            # merged with each gene's 20 best re-selected. The summary checks that the merge equals a single run on 600 genes.
            Id = 'transcriptome-20k-shards'; Title = 'Whole transcriptome through -Shard: {genes} genes × {size}², {shards} shards, top-{topPerGene} per gene'
            Workload = 'transcriptome_ranking'
            Params = @{ genes = 20000; size = 1000; density = 0.01; sigma = 4; seed = 14; topPerGene = 20; modules = 0; shards = 8; checkGenes = 600; maxMemoryGB = 3.5 }
            Quick = @{ genes = 400; size = 200; checkGenes = 300 }
            Reps = 1; QuickReps = 1; Budget = 36000
            FullOnly = 'about 20 minutes and 5 GB on 2 cores with the sparse product (1295 s measured with a test suite running beside it; reported, no goal)'
        }
        @{
            # How the cost grows with G: three sizes on one canvas, each gene's 20 best partners only. The product is
            # G²/2 · pixels multiply-adds, so ns_per_G2_pixel (in the summary) should stay flat.
            Id = 'transcriptome-growth-1k'; Title = 'Cost growth with G: {genes} genes × {size}², top-{topPerGene} per gene (see ns_per_G2_pixel)'
            Workload = 'transcriptome_ranking'
            Params = @{ genes = 1000; size = 500; density = 0.01; sigma = 4; seed = 15; topPerGene = 20; modules = 0; maxMemoryGB = 3.5; shards = 1 }
            Quick = @{ genes = 100; size = 200 }
            Reps = 1; QuickReps = 1; Budget = 600
        }
        @{
            Id = 'transcriptome-growth-2k'; Title = 'Cost growth with G: {genes} genes × {size}², top-{topPerGene} per gene (see ns_per_G2_pixel)'
            Workload = 'transcriptome_ranking'
            Params = @{ genes = 2000; size = 500; density = 0.01; sigma = 4; seed = 15; topPerGene = 20; modules = 0; maxMemoryGB = 3.5; shards = 1 }
            Quick = @{ genes = 200; size = 200 }
            Reps = 1; QuickReps = 1; Budget = 900
        }
        @{
            Id = 'transcriptome-growth-4k'; Title = 'Cost growth with G: {genes} genes × {size}², top-{topPerGene} per gene (see ns_per_G2_pixel)'
            Workload = 'transcriptome_ranking'
            Params = @{ genes = 4000; size = 500; density = 0.01; sigma = 4; seed = 15; topPerGene = 20; modules = 0; maxMemoryGB = 3.5; shards = 1 }
            Quick = @{ genes = 400; size = 200 }
            Reps = 1; QuickReps = 1; Budget = 1800
        }
        @{
            Id = 'module-start'; Title = 'Import-Module + first Measure-PatternSimilarity, {size}² (fresh pwsh)'
            Workload = 'module_start'
            Params = @{ size = 512; sigma = 4 }; Quick = @{}
            Inputs = @{ genes = @{ kind = 'counts'; planes = 2; size = '{size}'; density = 0.05; seed = 10 } }
            Reps = 3; QuickReps = 1; Budget = 60
            Goal = @{ MaxSeconds = 2 }
        }
    )
}
