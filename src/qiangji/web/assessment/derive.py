"""Where derived indicator values used to be defined; they are now declared in the indicator registry.

The registry-derived batch derivers are in :mod:`qiangji.web.registry.indicators` and
:mod:`qiangji.web.registry.samples`, D3.3 in :mod:`qiangji.web.programme.indicators`, C3.2 in
:mod:`qiangji.web.comparisons.indicators`; the value type and its helpers in :mod:`qiangji.web.indicators`,
re-exported here for code written against this module.
"""

from qiangji.web.indicators import Derived, count, full_score, ratio

__all__ = ["Derived", "count", "full_score", "ratio"]
