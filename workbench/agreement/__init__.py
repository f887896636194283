"""Inter-coder agreement coefficients: numpy/lists in, ``Agreement`` floats out.

``data`` arguments are coders × units (list of lists or 2-D array), with None
or NaN where a coder did not code a unit.  Every function returns an
``Agreement`` -- a ``float`` subclass.  When a coefficient is undefined (no
values, fewer than two coders, no unit coded by two coders, only one category
observed for a chance-corrected measure, ...) the value is NaN and
``.reason`` says why; nothing is raised and nothing silently becomes 0.
Malformed input (ragged rows, unhashable values, non-numeric values for
interval/ratio alpha, bad ``weights``/``level``) raises ``ValueError``.
"""

from workbench.agreement.alpha import krippendorff_alpha
from workbench.agreement.multirater import (
    brennan_prediger,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
)
from workbench.agreement.pairwise import cohen_kappa, scott_pi
from workbench.agreement.result import Agreement
from workbench.agreement.unitizing import unitizing_alpha

__all__ = [
    "Agreement",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
    "unitizing_alpha",
]
