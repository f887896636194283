"""REFI positions: which counting a file used (code points, NVivo's UTF-16, CRLF) and the conversion."""
from workbench.refi.positions import CODE_POINTS, UTF16, normalise_text, resolve_positions, to_utf16

TEXT = "P01: I love 🙂🙂 the garden group.\nP02: Emoji 👍 everywhere, and the café too."


def spans_of(text, quotes):
    return [(text.index(q), text.index(q) + len(q)) for q in quotes]


def test_spec_positions_stay_as_they_are():
    quotes = ["the garden group", "the café too"]
    spans, reading = resolve_positions(TEXT, spans_of(TEXT, quotes))
    assert reading.unit == CODE_POINTS and [TEXT[a:b] for a, b in spans] == quotes


def test_nvivo_utf16_positions_are_detected_and_converted():
    quotes = ["the garden group", "everywhere", "the café too"]
    utf16 = [(to_utf16(TEXT, a), to_utf16(TEXT, b)) for a, b in spans_of(TEXT, quotes)]
    assert utf16 != spans_of(TEXT, quotes)  # the emoji shift them: read as code points they land mid-word
    spans, reading = resolve_positions(TEXT, utf16)
    assert reading.unit == UTF16
    assert [TEXT[a:b] for a, b in spans] == quotes


def test_selection_names_decide_when_both_readings_fit():
    text = "ab 🙂 cd ef gh"
    # "ef" in UTF-16 is 9..11; as code points 9..11 would be "f " and 8..10 "ef": the name settles it.
    spans, reading = resolve_positions(text, [(9, 11)], ["ef"])
    assert reading.unit == UTF16 and text[spans[0][0]:spans[0][1]] == "ef"


def test_crlf_counted_as_two_is_converted_to_lf_text():
    raw = "\ufeffInterviewer: Hello\r\nP01: Something about trust\r\nP01: And more trust here"
    text = normalise_text(raw)
    assert "\r" not in text and not text.startswith("\ufeff")
    body = raw.lstrip("\ufeff")
    positions = [(body.index("about trust"), body.index("about trust") + 11), (body.index("more trust"), body.index("more trust") + 10)]
    spans, reading = resolve_positions(raw, positions)
    assert reading.crlf and [text[a:b] for a, b in spans] == ["about trust", "more trust"]


def test_positions_that_fit_no_reading_are_none():
    spans, _ = resolve_positions("short", [(2, 4), (3, 99)])
    assert spans[0] == (2, 4) and spans[1] is None
