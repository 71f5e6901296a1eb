# Reference values for LeeL and MoranBV from R spdep (called by make_spatialstats_fixtures.py).
#
# Usage: Rscript make_spatialstats_fixtures.R <workdir> <H> <W> <sigma1> [<sigma2> ...]
# Reads <workdir>/genes.csv (one gene per line, its H*W pixels in row-major order) and writes, for the
# weights queen, rook and gauss<sigma> (one per sigma):
#   lee_<w>.csv      G x G matrix, [i, j] = lee(gene i, gene j, listw, n)$L
#   moranbv_<w>.csv  G x G matrix, [i, j] = moran_bv(gene i, gene j, listw, nsim)$t0 (lag of gene j)
#   lag_<w>.csv      lag.listw(listw, gene 1), H*W values
# and versions.csv (R and spdep versions).
#
# Neighbours: cell2nb(H, W, type) numbers cells row by row (column index fastest), i.e. numpy's C order
# of an [H, W] array. Gaussian weights: every cell within the square |drow|, |dcol| <= r, r = floor(4 sigma + 0.5)
# (the support of the separable blur, truncate = 4), the cell itself included, general weights
# exp(-(drow^2 + dcol^2) / (2 sigma^2)). All listw are row-standardised (style "W").
suppressMessages(library(spdep))
args <- commandArgs(trailingOnly = TRUE)
workdir <- args[1]
H <- as.integer(args[2])
W <- as.integer(args[3])
sigmas <- as.numeric(args[-(1:3)])
genes <- as.matrix(read.csv(file.path(workdir, "genes.csv"), header = FALSE))
G <- nrow(genes)
n <- H * W
stopifnot(ncol(genes) == n)

gaussian_listw <- function(sigma) {
  r <- floor(4 * sigma + 0.5)
  nb <- vector("list", n)
  gl <- vector("list", n)
  for (row in 0:(H - 1)) for (col in 0:(W - 1)) {
    i <- row * W + col + 1
    rows <- max(0, row - r):min(H - 1, row + r)
    cols <- max(0, col - r):min(W - 1, col + r)
    grid <- expand.grid(c = cols, r = rows)
    idx <- grid$r * W + grid$c + 1
    o <- order(idx)
    nb[[i]] <- as.integer(idx[o])
    gl[[i]] <- exp(-((grid$r - row)^2 + (grid$c - col)^2) / (2 * sigma^2))[o]
  }
  class(nb) <- "nb"
  attr(nb, "region.id") <- as.character(1:n)
  attr(nb, "self.included") <- TRUE
  nb2listw(nb, glist = gl, style = "W")
}

weights <- list(queen = nb2listw(cell2nb(H, W, type = "queen"), style = "W"),
                rook = nb2listw(cell2nb(H, W, type = "rook"), style = "W"))
for (s in sigmas) weights[[paste0("gauss", s)]] <- gaussian_listw(s)

fmt <- function(m) formatC(m, digits = 17, format = "g")
for (name in names(weights)) {
  lw <- weights[[name]]
  L <- matrix(NA_real_, G, G)
  I <- matrix(NA_real_, G, G)
  for (i in 1:G) for (j in 1:G) {
    x <- genes[i, ]
    y <- genes[j, ]
    L[i, j] <- lee(x, y, lw, n)$L
    set.seed(1)
    I[i, j] <- moran_bv(x, y, lw, nsim = 9)$t0
  }
  write.table(fmt(L), file.path(workdir, paste0("lee_", name, ".csv")), sep = ",", row.names = FALSE, col.names = FALSE, quote = FALSE)
  write.table(fmt(I), file.path(workdir, paste0("moranbv_", name, ".csv")), sep = ",", row.names = FALSE, col.names = FALSE, quote = FALSE)
  write.table(fmt(lag.listw(lw, genes[1, ])), file.path(workdir, paste0("lag_", name, ".csv")), sep = ",", row.names = FALSE, col.names = FALSE, quote = FALSE)
}
writeLines(c(paste0("R,", R.version.string), paste0("spdep,", as.character(packageVersion("spdep")))),
           file.path(workdir, "versions.csv"))
