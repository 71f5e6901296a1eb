# Reference values for univariate Moran's I with Gaussian weights from R spdep (called by make_moran_fixtures.py).
#
# Usage: Rscript make_moran_fixtures.R <workdir> <H> <W> <sigma1> [<sigma2> ...]
# Reads <workdir>/genes.csv (one gene per line, its H*W pixels in row-major order) and <workdir>/mask.csv (H*W values,
# 1 = inside), and writes <workdir>/moran.csv with one line per (mask, sigma, gene):
#   masked,sigma,gene,I,expectation,variance,statistic,p.value
# from moran.test(x, listw, randomisation = TRUE, alternative = "greater"). Weights: every other site within the square
# |drow|, |dcol| <= r, r = floor(4 sigma + 0.5) (the blur's truncated support), weight exp(-(drow^2 + dcol^2) / (2 sigma^2)),
# the site itself excluded, style "B" (the weights as given, not row-standardised: W is symmetric). With the mask only the
# inside sites are sites (neighbours outside are dropped).
suppressMessages(library(spdep))
args <- commandArgs(trailingOnly = TRUE)
workdir <- args[1]
H <- as.integer(args[2])
W <- as.integer(args[3])
sigmas <- as.numeric(args[-(1:3)])
genes <- as.matrix(read.csv(file.path(workdir, "genes.csv"), header = FALSE))
mask <- as.numeric(read.csv(file.path(workdir, "mask.csv"), header = FALSE)[1, ])
G <- nrow(genes)

gaussian_listw <- function(sigma, sites) {
  r <- floor(4 * sigma + 0.5)
  pos <- match(seq_len(H * W), sites)
  nb <- vector("list", length(sites))
  gl <- vector("list", length(sites))
  for (k in seq_along(sites)) {
    i <- sites[k] - 1
    row <- i %/% W
    col <- i %% W
    rows <- max(0, row - r):min(H - 1, row + r)
    cols <- max(0, col - r):min(W - 1, col + r)
    grid <- expand.grid(c = cols, r = rows)
    idx <- grid$r * W + grid$c + 1
    keep <- idx != sites[k] & !is.na(pos[idx])
    j <- pos[idx[keep]]
    o <- order(j)
    nb[[k]] <- as.integer(j[o])
    gl[[k]] <- exp(-((grid$r[keep] - row)^2 + (grid$c[keep] - col)^2) / (2 * sigma^2))[o]
  }
  class(nb) <- "nb"
  attr(nb, "region.id") <- as.character(seq_along(sites))
  nb2listw(nb, glist = gl, style = "B", zero.policy = TRUE)
}

out <- c()
for (masked in c(0, 1)) {
  sites <- if (masked == 1) which(mask > 0) else seq_len(H * W)
  for (s in sigmas) {
    lw <- gaussian_listw(s, sites)
    for (g in 1:G) {
      x <- genes[g, sites]
      t <- moran.test(x, lw, randomisation = TRUE, alternative = "greater", zero.policy = TRUE)
      e <- t$estimate
      out <- c(out, paste(masked, s, g - 1, formatC(e[1], digits = 17, format = "g"), formatC(e[2], digits = 17, format = "g"),
                          formatC(e[3], digits = 17, format = "g"), formatC(t$statistic, digits = 17, format = "g"),
                          formatC(t$p.value, digits = 17, format = "g"), sep = ","))
    }
  }
}
writeLines(out, file.path(workdir, "moran.csv"))
writeLines(c(paste0("R,", R.version.string), paste0("spdep,", as.character(packageVersion("spdep")))), file.path(workdir, "versions.csv"))
