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


def test_every_offset_of_random_texts_matches_a_unit_by_unit_count():
    """The conversion scans astral characters only; check it against counting UTF-16 units one by one."""
    import random

    rng = random.Random(5)
    alphabet = ["a", " ", "é", "e\u0301", "🙂", "👩\u200d⚕️", "\U0001f600", "\n", "中"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        unit_of = {}
        units = 0
        for index, char in enumerate(text):
            unit_of[units] = index
            units += 2 if ord(char) > 0xFFFF else 1
        unit_of[units] = len(text)
        for offset in range(units + 3):
            if offset in unit_of:
                assert utf16_to_code_point(text, offset) == unit_of[offset]
                assert code_point_to_utf16(text, unit_of[offset]) == offset
            else:
                with pytest.raises(Invalid):
                    utf16_to_code_point(text, offset)
