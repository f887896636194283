"""Plain-text transcripts: paragraphs, speaker labels, timestamps and utterance spans."""

import pytest

from workbench.importers import ParsedDocument, ParsedUtterance, parse_transcript


def parse(text: str) -> ParsedDocument:
    return parse_transcript("interview.txt", text.encode("utf-8"))


def turns(doc: ParsedDocument) -> list[tuple]:
    return [(u.speaker, doc.text[u.start : u.end], u.timestamp) for u in doc.utterances]


def assert_well_formed(doc: ParsedDocument) -> None:
    previous_end = 0
    for u in doc.utterances:
        assert isinstance(u, ParsedUtterance)
        assert previous_end <= u.start < u.end <= len(doc.text)
        span = doc.text[u.start : u.end]
        assert span == span.strip() and span
        previous_end = u.end
    assert not doc.text.endswith("\n")
    assert "\r" not in doc.text


def test_basic_interview_with_header_and_continuations():
    doc = parse(
        "Interview 3 transcript\r\n"
        "Date: 12 March 2023\r\n"
        "\r\n"
        "Interviewer: Thanks for coming.  \r\n"
        "P07: Sure. I'm a practice nurse.\r\n"
        "\r\n"
        "And I have been for ten years.\r\n"
    )
    assert doc.text == (
        "Interview 3 transcript\nDate: 12 March 2023\nInterviewer: Thanks for coming.\n"
        "P07: Sure. I'm a practice nurse.\nAnd I have been for ten years."
    )
    assert turns(doc) == [
        (None, "Interview 3 transcript", None),
        (None, "Date: 12 March 2023", None),
        ("Interviewer", "Thanks for coming.", None),
        ("P07", "Sure. I'm a practice nurse.\nAnd I have been for ten years.", None),
    ]
    assert doc.encoding == "utf-8"
    assert doc.warnings == ()
    assert_well_formed(doc)


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("Interviewer: yes", "Interviewer"),
        ("Interviewee: yes", "Interviewee"),
        ("Facilitator: yes", "Facilitator"),
        ("INTERVIEWER: yes", "INTERVIEWER"),
        ("P07: yes", "P07"),
        ("P7: yes", "P7"),
        ("P 07: yes", "P 07"),
        ("GP 2 - yes", "GP 2"),
        ("GP 2 \u2013 yes", "GP 2"),
        ("GP2: yes", "GP2"),
        ("GP: yes", "GP"),
        ("Participant 3: yes", "Participant 3"),
        ("Participant  3 : yes", "Participant 3"),
        ("Speaker 1: yes", "Speaker 1"),
        ("LW: yes", "LW"),
        ("PM: yes", "PM"),
        ("VCS1: yes", "VCS1"),
        ("R12: yes", "R12"),
        ("I: yes", "I"),
        ("Dr Patel: yes", "Dr Patel"),
        ("Sarah Jones: yes", "Sarah Jones"),
        ("Mary-Jane O'Neill: yes", "Mary-Jane O'Neill"),
        ("Sarah: yes", "Sarah"),
        ("Sarah Jones - yes", "Sarah Jones"),
        ("Interviewer (JS): yes", "Interviewer (JS)"),
        ("Female Participant 2: yes", "Female Participant 2"),
        ("Zoë Åberg: yes", "Zoë Åberg"),
    ],
)
def test_speaker_labels_recognised(line, speaker):
    doc = parse("Interviewer: hello\n" + line)
    assert turns(doc)[-1] == (speaker, "yes", None)


@pytest.mark.parametrize(
    "line",
    [
        "The problem is: nobody calls back",
        "the nurse said: call me",
        "Well - I suppose so",
        "I - I don't know",
        "Note: recording paused",
        "Yes: definitely",
        "OK: fine",
        "Interview Date: 12 March",
        "Time: 10:30",
        "See http://example.org for details",
        "Sarah:Jones is not a label",
        "Thank You",
        "Sarah Jones",
        "It was like this: we waited and waited and nobody ever rang us back",
        "[laughs]: sorry",
    ],
)
def test_ordinary_sentences_are_not_labels(line):
    doc = parse("P07: first\n" + line)
    assert turns(doc) == [("P07", "first\n" + line, None)]


def test_problem_is_not_a_speaker_even_at_start():
    doc = parse("The problem is: nobody calls back")
    assert turns(doc) == [(None, "The problem is: nobody calls back", None)]
    assert len(doc.warnings) == 1 and "No speaker labels" in doc.warnings[0]


@pytest.mark.parametrize(
    "line, seconds",
    [
        ("[00:12:31] P07: text", 751.0),
        ("[12:31] P07: text", 751.0),
        ("(12:31) P07: text", 751.0),
        ("(00:12:31) P07: text", 751.0),
        ("[00:12:31.250] P07: text", 751.25),
        ("[01:00:00] P07: text", 3600.0),
        ("P07 [00:12:31]: text", 751.0),
        ("P07 (12:31): text", 751.0),
        ("P07: [00:12:31] text", 751.0),
        ("P07: (00:12:31,5) text", 751.5),
        ("[00:12:31]P07:text", 751.0),
    ],
)
def test_timestamps_are_read_and_excluded_from_span(line, seconds):
    doc = parse(line)
    assert turns(doc) == [("P07", "text", seconds)]
    assert doc.text == line


def test_unbracketed_or_impossible_times_are_text():
    doc = parse("P07: 12:31 we met\nP07: [12:75] later")
    assert turns(doc) == [
        ("P07", "12:31 we met", None),
        ("P07", "[12:75] later", None),
    ]


def test_label_alone_on_its_line_takes_following_paragraphs():
    doc = parse("Interviewer\n[00:01:02] How did it go?\nIt was fine\nP07:\nGood.\nDr Patel:\nP07: done")
    assert turns(doc) == [
        ("Interviewer", "How did it go?\nIt was fine", 62.0),
        ("P07", "Good.", None),
        ("P07", "done", None),
    ]


def test_timestamp_line_goes_with_next_speaker():
    doc = parse("P07: hi\n[00:00:09]\nInterviewer: hello")
    assert turns(doc) == [("P07", "hi", None), ("Interviewer", "hello", 9.0)]


def test_unlabelled_paragraphs_before_first_label_and_leading_timestamp():
    doc = parse("Header line\n[00:00:03] intro remarks\nP07: text")
    assert turns(doc) == [
        (None, "Header line", None),
        (None, "intro remarks", 3.0),
        ("P07", "text", None),
    ]


def test_no_labels_gives_one_utterance_per_paragraph_and_a_warning():
    doc = parse("first paragraph\n\nsecond paragraph\nthird\n")
    assert turns(doc) == [
        (None, "first paragraph", None),
        (None, "second paragraph", None),
        (None, "third", None),
    ]
    assert doc.warnings and "interview.txt" in doc.warnings[0]


def test_whitespace_rules():
    doc = parse("  P07:   indented \t \n\n\n \t \nP08:\u00a0nbsp kept\u00a0inside\r\rend\u00a0")
    assert doc.text == "  P07:   indented\nP08:\u00a0nbsp kept\u00a0inside\nend"
    assert turns(doc) == [
        ("P07", "indented", None),
        ("P08", "nbsp kept\u00a0inside\nend", None),
    ]
    assert_well_formed(doc)


def test_emoji_and_combining_characters_keep_code_point_offsets():
    # "e\u0301" is a decomposed é and must stay two code points (no NFC).
    text = "P07: I felt \U0001F600 then cafe\u0301 \U0001F469\u200d\U0001F469\u200d\U0001F467\nInterviewer: \u00e9\U0001F44D ok"
    doc = parse(text)
    assert doc.text == text
    assert turns(doc) == [
        ("P07", "I felt \U0001F600 then cafe\u0301 \U0001F469\u200d\U0001F469\u200d\U0001F467", None),
        ("Interviewer", "\u00e9\U0001F44D ok", None),
    ]
    second = doc.utterances[1]
    assert second.start == text.index("\u00e9\U0001F44D")
    assert second.end == len(text)
    assert_well_formed(doc)


def test_txt_holding_webvtt_is_read_as_captions():
    doc = parse("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Hi there\n")
    assert doc.text == "Ann: Hi there"
    assert turns(doc) == [("Ann", "Hi there", 1.0)]


def test_tab_separated_labels_and_bare_label_with_time():
    doc = parse("Interviewer\tHow are you?\nSarah Jones\tFine.\nSpeaker 2 [00:00:30]\nHello.\nHELP\nP07\nok")
    assert turns(doc) == [
        ("Interviewer", "How are you?", None),
        ("Sarah Jones", "Fine.", None),
        ("Speaker 2", "Hello.\nHELP", 30.0),
        ("P07", "ok", None),
    ]


def test_lowercase_parenthetical_is_not_a_qualifier():
    doc = parse("P07: hi\nP08 (laughs): funny\nInterviewer (Sarah): right")
    assert [u.speaker for u in doc.utterances] == ["P07", "Interviewer (Sarah)"]
    assert doc.text[doc.utterances[0].start : doc.utterances[0].end] == "hi\nP08 (laughs): funny"


def test_invariants_hold_for_shuffled_mixtures():
    import random

    pool = [
        "Interviewer: How was it?", "P07: [00:01:02] Fine \U0001F600", "GP 2 - yes", "Dr Patel:",
        "Speaker 1", "  continuation line  ", "[00:02:00]", "The problem is: nobody calls back",
        "Note: paused", "cafe\u0301 e\u0301", "\u00a0", "Well - I suppose", "R1 (12:00): ok",
        "P08\tTabbed words", "[00:03:00] no label here",
    ]
    rng = random.Random(7)
    for _ in range(300):
        lines = [rng.choice(pool) for _ in range(rng.randint(1, 12))]
        try:
            doc = parse("\n".join(lines))
        except Exception as exc:  # only a document of blank/label-free nothing may fail
            assert "contains no text" in str(exc)
            continue
        assert_well_formed(doc)
        for u in doc.utterances:
            span = doc.text[u.start : u.end]
            assert not span.startswith(("Interviewer:", "P07:", "[00:"))
