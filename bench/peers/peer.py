#!/usr/bin/python3
"""The Python peers of SpatialSim's benchmark, timed in-process.

Driven by bench/Invoke-Benchmark.ps1 with the protocol of our own worker (bench/SpatialSim.Bench/Program.cs):
one JSON request per line on stdin, one answer per request on stdout as a line starting with "@@bench ".
Requests: info, prepare (load the inputs, not timed), run (once, timed), release. The inputs are float32 .npy
files written by our worker, so both sides compute on the same bytes.

Each workload's summary is what the orchestrator compares with ours; SpatialSim's implementation of a workload
must return the same keys (see each class).

Needs Debian's Python with numpy, and per workload scipy, skimage or POT:
    apt-get install python3-scipy python3-skimage python3-pot
A workload whose package is missing is reported as unavailable; the others still run.
"""
import gc
import importlib
import json
import os
import platform
import sys
import time
import traceback
import warnings

import numpy as np

ANSWER_PREFIX = "@@bench "
# module: (name shown in the report, Debian package)
PACKAGES = {"numpy": ("numpy", "python3-numpy"), "scipy": ("scipy", "python3-scipy"),
            "skimage": ("scikit-image", "python3-skimage"), "ot": ("POT", "python3-pot")}


class GaussianBlur:
    """gaussian_blur: scipy.ndimage.gaussian_filter (mode 'reflect', truncate 4) into a preallocated float32 output.

    Summary: {"probes": output values at the flat indices params["probes"], "sum": float64 sum of the output}.
    """

    requires = ("scipy",)

    def __init__(self, params, inputs):
        from scipy import ndimage
        self.gaussian_filter = ndimage.gaussian_filter
        self.image = np.load(inputs["image"])
        self.output = np.empty_like(self.image)
        self.sigma = params["sigma"]
        self.probes = np.asarray(params["probes"], dtype=np.int64)

    def run(self):
        self.gaussian_filter(self.image, self.sigma, output=self.output)
        return self.output

    def summarize(self, output):
        return {"probes": output.ravel()[self.probes].astype(float).tolist(), "sum": float(output.sum(dtype=np.float64))}


class Ssim:
    """ssim: skimage structural_similarity with Wang et al. (2004)'s parameters: Gaussian window σ = 1.5,
    population covariance, K1 = 0.01, K2 = 0.03, data range 1, between maps 0 and 1 of a [2, H, W] stack, each
    divided by its maximum while preparing (SpatialSim's SSIM makes each gene scale-free that way, so both sides
    compute structural_similarity(a / a.max(), b / b.max(), data_range=1)).

    Summary: {"ssim": the mean SSIM}.
    """

    requires = ("skimage",)

    def __init__(self, params, inputs):
        from skimage.metrics import structural_similarity
        self.structural_similarity = structural_similarity
        self.a, self.b = (m / m.max() for m in np.load(inputs["maps"]))

    def run(self):
        return self.structural_similarity(self.a, self.b, gaussian_weights=True, sigma=1.5,
                                          use_sample_covariance=False, data_range=1)

    def summarize(self, output):
        return {"ssim": float(output)}


class AllPairsPearson:
    """smoothed_pearson_all_pairs: scipy gaussian_filter per gene, then numpy.corrcoef of the flattened maps.

    Summary: {"upper": the upper triangle of the correlation matrix row by row (r01, r02, …, r12, …)};
    the peer adds {"phases": seconds spent blurring and in corrcoef}.
    """

    requires = ("scipy",)

    def __init__(self, params, inputs):
        from scipy import ndimage
        self.gaussian_filter = ndimage.gaussian_filter
        self.genes = np.load(inputs["genes"])
        self.sigma = params["sigma"]
        self.phases = {}

    def run(self):
        start = time.perf_counter()
        smoothed = np.empty_like(self.genes)
        for g in range(len(self.genes)):
            self.gaussian_filter(self.genes[g], self.sigma, output=smoothed[g])
        blurred = time.perf_counter()
        r = np.corrcoef(smoothed.reshape(len(smoothed), -1))
        self.phases = {"blur": blurred - start, "corrcoef": time.perf_counter() - blurred}
        return r

    def summarize(self, output):
        return {"upper": output[np.triu_indices(len(output), 1)].tolist(), "phases": self.phases}


class SinkhornW2:
    """sinkhorn_w2: POT ot.sinkhorn2 between the two maps of a [2, n, n] stack as probability distributions on the
    pixel grid (each divided by its sum), cost = squared Euclidean distance in pixels, regularisation
    params["epsilon"] (pixels²), stopping when the marginal error is below params["tolerance"] or after
    params["maxIterations"]. Reference: the exact ot.emd2, computed once while preparing (not timed).

    With params["peer"] == "emd2" the timed peer is the exact ot.emd2 itself, on the pixels of non-zero mass only (the
    same problem: empty pixels carry nothing), for sparse maps too large for a dense cost matrix (256² pixels would
    need 34 GB).

    Summary: {"w2Squared": transport cost ⟨P, M⟩}; the peer adds {"emd2", "emd2Seconds", "iterations", "converged", "method"}.
    """

    requires = ("ot",)

    def __init__(self, params, inputs):
        import ot
        self.ot = ot
        maps = np.load(inputs["maps"]).astype(np.float64)
        self.a, self.b = (m.ravel() / m.sum() for m in maps)
        pixels = np.indices(maps.shape[1:]).reshape(2, -1).T.astype(np.float64)
        self.method = params.get("peer", "sinkhorn2")
        self.log = {}
        self.converged = True
        if self.method == "emd2":
            ia, ib = self.a > 0, self.b > 0
            self.a, self.b = self.a[ia], self.b[ib]
            self.cost = ot.dist(pixels[ia], pixels[ib], metric="sqeuclidean")
            self.emd2, self.emd2_seconds = None, None
            return
        self.cost = ot.dist(pixels, pixels, metric="sqeuclidean")
        self.epsilon = params["epsilon"]
        self.tolerance = params["tolerance"]
        self.max_iterations = params["maxIterations"]
        start = time.perf_counter()
        self.emd2 = float(ot.emd2(self.a, self.b, self.cost, numItermax=10_000_000))
        self.emd2_seconds = time.perf_counter() - start

    def run(self):
        if self.method == "emd2":
            return float(self.ot.emd2(self.a, self.b, self.cost, numItermax=100_000_000))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value, self.log = self.ot.sinkhorn2(self.a, self.b, self.cost, self.epsilon, numItermax=self.max_iterations,
                                                stopThr=self.tolerance, log=True)
        self.converged = not any("converge" in str(w.message) for w in caught)
        return float(value)

    def summarize(self, output):
        if self.method == "emd2":
            return {"w2Squared": output, "emd2": output, "emd2Seconds": None, "iterations": -1, "converged": True,
                    "method": "emd2", "support": [int(len(self.a)), int(len(self.b))]}
        return {"w2Squared": output, "emd2": self.emd2, "emd2Seconds": self.emd2_seconds,
                "iterations": int(self.log.get("niter", -1)), "converged": self.converged, "method": "sinkhorn2"}


class LocalBinaryPattern:
    """local_binary_pattern: skimage local_binary_pattern(image, P, R, method="uniform") of a float32 map.

    Summary: {"histogram": the count of each code 0 … P + 1}.
    """

    requires = ("skimage",)

    def __init__(self, params, inputs):
        from skimage.feature import local_binary_pattern
        self.local_binary_pattern = local_binary_pattern
        self.image = np.load(inputs["image"])
        self.points = params["points"]
        self.radius = params["radius"]

    def run(self):
        return self.local_binary_pattern(self.image, self.points, self.radius, method="uniform")

    def summarize(self, output):
        return {"histogram": np.bincount(output.astype(np.int64).ravel(), minlength=self.points + 2).tolist()}


# The peer of each workload, by the names bench/Workloads.psd1 uses.
WORKLOADS = {
    "gaussian_blur": GaussianBlur,
    "ssim": Ssim,
    "smoothed_pearson_all_pairs": AllPairsPearson,
    "sinkhorn_w2": SinkhornW2,
    "local_binary_pattern": LocalBinaryPattern,
}


def module_versions():
    """The version of each module the peers use, or None when it does not import."""
    versions = {}
    for module in PACKAGES:
        try:
            versions[module] = importlib.import_module(module).__version__
        except ImportError:
            versions[module] = None
    return versions


def blas_description():
    """Which BLAS numpy runs on: threadpoolctl's view when it knows the library, else the library mapped in."""
    try:
        from threadpoolctl import threadpool_info
        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    except ImportError:
        pools = []
    if pools:
        return "; ".join(f"{p['internal_api']} {p.get('version') or ''}, {p['num_threads']} threads ({p['filepath']})".replace("  ", " ")
                         for p in pools)
    np.dot(np.ones((2, 2)), np.ones((2, 2)))  # make sure the BLAS is loaded
    with open("/proc/self/maps") as maps:
        paths = {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}
    libraries = sorted({os.path.realpath(p) for p in paths
                        if os.path.basename(p).startswith("lib") and any(k in os.path.basename(p) for k in ("blas", "blis", "mkl", "atlas"))})
    if not libraries:
        return "unknown (no BLAS library mapped)"
    known = {"/blas/libblas.so": "reference BLAS (netlib), single-threaded", "openblas": "OpenBLAS", "blis": "BLIS",
             "mkl": "Intel MKL", "atlas": "ATLAS"}
    names = [next((v for k, v in known.items() if k in lib), "unrecognised") + f" ({lib})" for lib in libraries]
    return "; ".join(names)


def info():
    versions = module_versions()
    available, missing = [], {}
    for name, workload in WORKLOADS.items():
        absent = [PACKAGES[m][1] for m in workload.requires if versions[m] is None]
        if absent:
            missing[name] = absent
        else:
            available.append(name)
    return {
        "workloads": available,
        "missing": missing,
        "python": platform.python_version(),
        "executable": sys.executable,
        "versions": {PACKAGES[m][0]: v for m, v in versions.items()},
        "blas": blas_description(),
        "openblasEnvironment": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
    }


def reset_peak_rss():
    """Resets the kernel's peak-RSS mark (VmHWM) to the current RSS; False where /proc does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_bytes(key):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def timed_run(workload):
    """Runs the prepared workload once, after a garbage collection and a reset of the peak-RSS mark."""
    gc.collect()
    per_run = reset_peak_rss()
    baseline = status_bytes("VmRSS:")
    start = time.perf_counter()
    output = workload.run()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "baselineRssBytes": baseline, "peakRssBytes": status_bytes("VmHWM:"),
            "peakIsPerRun": per_run, "result": workload.summarize(output)}


def finite_json(value):
    """value with every non-finite float replaced by its name as a string ("NaN", "Infinity", "-Infinity"), as our
    worker writes them: JSON has no literal for them, and the orchestrator reports such outputs as invalid."""
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return "NaN" if np.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def main():
    answers = sys.stdout
    sys.stdout = sys.stderr  # anything else printed is not part of the protocol
    prepared = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            command = request.get("cmd")
            if command == "info":
                answer = info()
            elif command == "prepare":
                prepared = None
                gc.collect()
                if request["workload"] not in WORKLOADS:
                    raise ValueError(f"no peer for workload '{request['workload']}'")
                prepared = WORKLOADS[request["workload"]](request["params"], request["inputs"])
                answer = {}
            elif command == "run":
                if prepared is None:
                    raise ValueError("no workload is prepared")
                answer = timed_run(prepared)
            elif command == "release":
                prepared = None
                gc.collect()
                answer = {}
            else:
                raise ValueError(f"unknown command '{command}'")
            answer["ok"] = True
        except Exception as e:  # the orchestrator reports it in the table; the worker goes on
            traceback.print_exc()
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        answers.write(ANSWER_PREFIX + json.dumps(finite_json(answer), allow_nan=False) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
