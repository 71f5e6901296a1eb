# Help lines of the measure parameters shared by Measure-PatternSimilarity and Get-RankedPairs.
@{
    Method    = 'The similarity measure (default SmoothedPearson). Every measure scores higher for more similar patterns and ignores a gene''s overall level. Tab completion lists them; about_SpatialSim explains each and when to use which.'
    Sigma     = 'The Gaussian σ in pixels of the method: SmoothedPearson smoothing (default 4; several values give one score per scale in Details and their mean as Score) and RoiPearson smoothing before thresholding (default 2).'
    Mask      = 'A tissue mask raster on the same canvas (pixels > 0 are inside), for Pearson and SmoothedPearson: only pixels inside count, and smoothing is normalised by the mask, blur(x·m)/blur(m), so the tissue border creates no false similarity.'
    Pyramid   = 'Compute the measure on this many levels of a Gaussian pyramid (blur σ = 2/3, keep every second row and column) and report the mean as Score and each level in Details. Default 1 (off).'
    Threshold = 'RoiPearson: how each gene''s peak region is cut from its smoothed map: Otsu (default; Otsu 1979 on the non-zero smoothed values) or Quantile.'
    Quantile  = 'RoiPearson with -Threshold Quantile: the quantile of the non-zero smoothed values above which pixels are peak region (default 0.9).'
    Points    = 'Lbp: number of sampling points P on the circle (default 24).'
    Radius    = 'Lbp: radius R of the circle in pixels (default 8).'
    LbpMethod = 'Lbp: code type as in scikit-image''s local_binary_pattern: Default, Ror, Uniform (default) or Var.'
    BinSizes  = 'DenseSift: SIFT spatial bin sizes in pixels, one descriptor scale each (default 4,6,8,10, as VLFeat PHOW).'
    Magnif    = 'DenseSift: each scale is smoothed with σ = bin size / Magnif before gradients are taken (default 6).'
    Step      = 'DenseSift: spacing in pixels of the grid of descriptor points shared by both maps (default 4).'
    MaxShift  = 'Keypoints: a match counts when the two keypoints lie at most this many pixels apart (default 3).'
    Ratio     = 'Keypoints: Lowe''s ratio test; a match is kept when the best descriptor distance is below Ratio times the second best (default 0.8).'
    Tiles     = 'Lbp: the canvas is cut into Tiles × Tiles tiles whose code histograms are compared one by one, so where a texture occurs counts (default 4).'
}
