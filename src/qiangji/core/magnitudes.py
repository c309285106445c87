"""The magnitudes the comparison statistics accept, in a module of their own: the web checks them where a
value is typed (``qiangji.web.plausible``), and importing them from :mod:`qiangji.core.comparison` would
load scipy (0.7 s) into every process that only validates a form or runs a command."""

from __future__ import annotations

#: Largest |value| (result x, uncertainty, σ_pt, …) and smallest non-zero uncertainty the statistics accept.
#: Within them every quantity the methods form stays finite: (x_i − y)/u_i ≤ 2e60, its square and a sum of
#: a million of them ≤ 4e126; the weights 1/u² ≤ 1e60. Real measurands (optical frequencies ≈ 5e14 Hz,
#: capacitances ≈ 1e-12 F with u ≈ 1e-18 F) sit far inside; 1e308 overflowed Algorithm A and the means.
MAX_MAGNITUDE = 1e30
MIN_UNCERTAINTY = 1e-30
