#!/usr/bin/python3
"""Reference values for the special functions behind the analytic p-values (SpecialFunctions.cs).

Run with Debian's Python: /usr/bin/python3 tests/reference/make_distribution_fixtures.py
Needs python3-numpy and python3-scipy. Writes tests/reference/fixtures/distributions/values.json:
  student_t   [t, df, scipy.stats.t.sf(t, df)]      upper tail of Student's t, fractional df included
  normal      [z, scipy.stats.norm.sf(z)]
  beta        [x, a, b, scipy.special.betainc(a, b, x)]
  gammaq      [a, x, scipy.special.gammaincc(a, x)]
  loggamma    [x, scipy.special.gammaln(x)]
and versions.json. The test suite reads these files; it never runs Python.
"""
import json
import os

import numpy as np
import scipy
from scipy import special, stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "distributions")


def main():
    os.makedirs(OUT, exist_ok=True)
    ts = [-8.0, -2.5, -0.3, 0.0, 0.01, 0.7, 1.96, 3.3, 6.0, 12.0, 40.0]
    dfs = [0.7, 1.0, 2.5, 3.0, 7.3, 30.0, 148.6, 1000.0, 25000.0]
    student = [[t, df, float(stats.t.sf(t, df))] for t in ts for df in dfs]
    normal = [[z, float(stats.norm.sf(z))] for z in [-6.0, -1.0, 0.0, 0.5, 1.645, 3.0, 5.0, 8.0, 12.0, 20.0, 35.0]]
    beta = [[x, a, b, float(special.betainc(a, b, x))]
            for x in [0.001, 0.2, 0.5, 0.77, 0.999] for a in [0.5, 1.3, 15.0, 400.0] for b in [0.5, 2.0, 60.0]]
    gammaq = [[a, x, float(special.gammaincc(a, x))] for a in [0.5, 1.0, 4.5, 50.0] for x in [0.01, 0.6, 3.0, 40.0, 300.0]]
    loggamma = [[x, float(special.gammaln(x))] for x in [0.1, 0.5, 1.0, 1.5, 7.25, 30.0, 1234.5, 1e6]]
    with open(os.path.join(OUT, "values.json"), "w") as f:
        json.dump({"student_t": student, "normal": normal, "beta": beta, "gammaq": gammaq, "loggamma": loggamma}, f, indent=0)
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "scipy": scipy.__version__}, f, indent=1)


if __name__ == "__main__":
    main()
