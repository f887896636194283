"""The Agreement result type (design of this package, no external source)."""

import math
import pickle

from workbench.agreement import Agreement, fleiss_kappa


def test_defined_value_behaves_as_float():
    value = Agreement(0.5)
    assert isinstance(value, float) and value == 0.5 and value.reason is None
    assert value.defined and value + 0.25 == 0.75


def test_undefined_value_is_nan_with_reason():
    result = fleiss_kappa([[1, 1], [1, 1]])
    assert math.isnan(result) and not result.defined
    assert result.reason == "only one category observed"
    assert "only one category" in repr(result)


def test_pickle_keeps_reason():
    result = pickle.loads(pickle.dumps(Agreement(float("nan"), "why")))
    assert math.isnan(result) and result.reason == "why"
