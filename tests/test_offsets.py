"""Browser UTF-16 offsets to code points: emoji (surrogate pairs), combining marks, the edges."""
import pytest

from workbench.services.errors import Invalid
from workbench.web.offsets import code_point_to_utf16, code_points_to_utf16, utf16_to_code_point

TEXT = "Zoë 🙂 said: café\u0301 👩\u200d⚕️ ok"


def js_length(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@pytest.mark.parametrize("fragment", ["Zoë", "🙂", "café\u0301", "👩\u200d⚕️", "ok", "said: café\u0301 👩"])
def test_a_browser_selection_lands_on_exactly_the_selected_characters(fragment):
    start_cp = TEXT.index(fragment)
    start16 = js_length(TEXT[:start_cp])  # what Range offsets in the browser report
    end16 = start16 + js_length(fragment)
    start, end = utf16_to_code_point(TEXT, start16), utf16_to_code_point(TEXT, end16)
    assert TEXT[start:end] == fragment
    assert (code_point_to_utf16(TEXT, start), code_point_to_utf16(TEXT, end)) == (start16, end16)


def test_offset_inside_a_surrogate_pair_is_refused():
    inside = js_length(TEXT[: TEXT.index("🙂")]) + 1
    with pytest.raises(Invalid, match="inside a character"):
        utf16_to_code_point(TEXT, inside)


@pytest.mark.parametrize("bad", [-1, 10_000, 1.5, True])
def test_bad_offsets(bad):
    with pytest.raises(Invalid):
        utf16_to_code_point(TEXT, bad)


def test_end_of_text():
    assert utf16_to_code_point(TEXT, js_length(TEXT)) == len(TEXT)


def test_batch_conversion_matches_one_by_one():
    indexes = list(range(len(TEXT) + 1))
    assert code_points_to_utf16(TEXT, indexes) == {i: code_point_to_utf16(TEXT, i) for i in indexes}
