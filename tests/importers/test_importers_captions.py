"""WebVTT and SubRip captions: cues, voice tags, speaker lines and merging."""

import codecs

import pytest

from workbench.importers import UnreadableFile, parse_transcript


def turns(doc):
    return [(u.speaker, doc.text[u.start : u.end], u.timestamp) for u in doc.utterances]


VTT_VOICES = """WEBVTT
Kind: captions
Language: en

NOTE
This is a note
spanning lines

STYLE
::cue { color: yellow }

intro-1
00:00:01.000 --> 00:00:04.000 align:start position:10%
<v Speaker 1>Hello &amp; welcome to the <i>study</i>.</v>

00:00:04.500 --> 00:00:06.000
<v Speaker 1>Shall we start?

00:00:06.000 --> 00:00:09.250
<v.loud Dr Patel>Yes &lt;definitely&gt; <c.yellow>let's</c> go.</v>

01:02.000 --> 01:05.000
<v Speaker 1><b>Great</b></v>
"""


def test_vtt_voice_tags_merge_consecutive_cues():
    doc = parse_transcript("call.vtt", VTT_VOICES.encode("utf-8"))
    assert doc.encoding == "utf-8"
    assert doc.text == (
        "Speaker 1: Hello & welcome to the study. Shall we start?\n"
        "Dr Patel: Yes <definitely> let's go.\n"
        "Speaker 1: Great"
    )
    assert turns(doc) == [
        ("Speaker 1", "Hello & welcome to the study. Shall we start?", 1.0),
        ("Dr Patel", "Yes <definitely> let's go.", 6.0),
        ("Speaker 1", "Great", 62.0),
    ]
    assert doc.warnings == ()


def test_vtt_speaker_label_lines_and_prefixes():
    vtt = (
        "\ufeffWEBVTT\r\n\r\n"
        "1\r\n00:00:00.000 --> 00:00:02.000\r\nSpeaker 1\r\nGood morning.\r\n\r\n"
        "2\r\n00:00:02.000 --> 00:00:03.000\r\nHow are you?\r\n\r\n"
        "3\r\n00:00:03.000 --> 00:00:05.000\r\nSpeaker 2\r\nFine, \U0001F600 thanks.\r\n\r\n"
        "4\r\n00:00:05.000 --> 00:00:06.500\r\nSarah Jones: And me.\r\n"
    )
    doc = parse_transcript("zoom.vtt", vtt.encode("utf-8"))
    assert doc.encoding == "utf-8-sig"
    assert "\ufeff" not in doc.text
    assert turns(doc) == [
        ("Speaker 1", "Good morning. How are you?", 0.0),
        ("Speaker 2", "Fine, \U0001F600 thanks.", 3.0),
        ("Sarah Jones", "And me.", 5.0),
    ]
    assert doc.text.splitlines()[0] == "Speaker 1: Good morning. How are you?"


def test_two_voices_in_one_cue():
    vtt = "WEBVTT\n\n00:10.000 --> 00:12.000\n<v Ann>Hi.</v>\n<v Bob>Hello.</v>\n"
    doc = parse_transcript("two.vtt", vtt.encode())
    assert turns(doc) == [("Ann", "Hi.", 10.0), ("Bob", "Hello.", 10.0)]


SRT = """1
00:00:01,000 --> 00:00:04,000
Interviewer: Thanks for joining.

2
00:00:04,000 --> 00:00:06,500
P07: No problem.
It's good to be here.

3
01:00:00,250 --> 01:00:02,000
P07: Really.
"""


def test_srt_with_prefix_labels():
    doc = parse_transcript("call.srt", codecs.BOM_UTF16_LE + SRT.encode("utf-16-le"))
    assert doc.encoding == "utf-16"
    assert doc.text == (
        "Interviewer: Thanks for joining.\nP07: No problem. It's good to be here. Really."
    )
    assert turns(doc) == [
        ("Interviewer", "Thanks for joining.", 1.0),
        ("P07", "No problem. It's good to be here. Really.", 4.0),
    ]


def test_srt_without_speakers_warns_and_keeps_cue_times():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nfirst words\n\n2\n00:00:03,000 --> 00:00:04,000\n<i>more</i> words\n"
    doc = parse_transcript("plain.srt", srt.encode("cp1252"))
    assert doc.text == "first words more words"
    assert turns(doc) == [(None, "first words more words", 1.0)]
    assert doc.warnings and "No speaker labels" in doc.warnings[0]


def test_srt_missing_blank_lines_between_cues():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nAnn: one\n2\n00:00:02,000 --> 00:00:03,000\nBob: two\n"
    doc = parse_transcript("tight.srt", srt.encode())
    assert turns(doc) == [("Ann", "one", 1.0), ("Bob", "two", 2.0)]


def test_cp1252_srt():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nP07: caf\u00e9 \u201cok\u201d\n"
    doc = parse_transcript("c.srt", srt.encode("cp1252"))
    assert doc.encoding == "cp1252"
    assert turns(doc) == [("P07", "caf\u00e9 \u201cok\u201d", 1.0)]


@pytest.mark.parametrize("name", ["x.vtt", "x.srt"])
def test_caption_file_without_cues(name):
    with pytest.raises(UnreadableFile, match=rf'"{name}" contains no captions'):
        parse_transcript(name, b"WEBVTT\n\njust text, no timings\n")


def test_cues_with_no_text_leave_no_text():
    with pytest.raises(UnreadableFile, match="contains no text"):
        parse_transcript("x.vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\n<c></c>\n")
