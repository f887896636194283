"""Recognises the speaker label and timestamp at the start of a transcript paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """What the start of a paragraph says: who speaks, when, and where their words begin.

    speaker is None when only a timestamp was found. content_start is an
    offset into the paragraph; it equals len(paragraph) for a label standing
    alone on its line, whose words follow in the next paragraphs.
    """

    speaker: str | None
    content_start: int
    timestamp: float | None = None


_CLOCK = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_BRACKETED_CLOCK = re.compile(rf"\[\s*{_CLOCK}\s*\]|\(\s*{_CLOCK}\s*\)")
_BARE_CLOCK = re.compile(rf"\s*{_CLOCK}\s*")

# The label is matched lazily so it ends at the first separator; a sentence
# with a colon later on then yields a long label that fails speaker_kind().
_LABEL = re.compile(
    r"(?P<label>[^\W_][^:\[\]()\n]{0,29}?)"
    r"(?P<qualifier>\s*\([A-Z][^()\d:\n]{0,19}\))?"
    r"(?P<stamp>\s*(?:\[[^\]\n]{1,20}\]|\([^)\n]{1,20}\)))?"
    r"(?P<sep>\s*:|\s+[-\u2013\u2014](?=\s|\Z)|[ ]*\t|\s*\Z)"
)
_BOLD_LABEL = re.compile(
    r"(?P<label>[^\W_][^:\[\]()\n]{0,39}?)"
    r"(?P<qualifier>\s*\([A-Z][^()\d:\n]{0,19}\))?"
    r"(?P<stamp>\s*(?:\[[^\]\n]{1,20}\]|\([^)\n]{1,20}\)))?"
    r"(?P<sep>\s*[:\-\u2013\u2014])?\s*"
)
_AFTER_BOLD = re.compile(r"\s*(?P<sep>:|[-\u2013\u2014](?=\s|\Z))?")

_ROLES = (
    "interviewer|interviewee|co-?facilitator|facilitator|respondent|participant|speaker"
    "|moderator|gp|lw|pm|patient|nurse|manager|doctor|dr|researcher|carer|caregiver"
    "|parent|mother|father|clinician|consultant|therapist|pharmacist|student|teacher"
    "|client|staff member|family member|member|observer|note-?taker|chair|host|guest"
    "|interpreter|translator|unknown speaker|unknown|unidentified|audience member|audience"
    "|int|resp|iv|ie|volunteer|practitioner|social worker|worker|coordinator|child"
    "|young person|man|woman"
)
_ROLE = re.compile(
    rf"(?:(?:male|female|senior|junior|lead|other|another)\s+)?(?:{_ROLES})"
    r"(?:\s*\d{1,3}[a-z]?|\s+(?-i:[A-Z]))?",
    re.IGNORECASE,
)
_ID = re.compile(r"[A-Z]{1,5}\s?\d{1,4}[a-z]?|[A-Z]{1,4}")
_NAME_WORD = re.compile(r"[^\W\d_][\w'\u2019.\-]*")
_NUMBER = re.compile(r"\d{1,3}")

# Words that show a "Word:" prefix is a heading, form field or sentence rather
# than a person: transcripts open with "Date: ..." and "Location: ..." lines.
_NOT_SPEAKERS = frozenset(
    """date time location place venue duration length transcript transcription transcribed
    transcriber interview interviews recording recorded audio file filename study project
    site code id ref reference number title subject topic theme section part chapter
    question questions appendix page table figure note notes summary background
    introduction intro conclusion agenda age gender sex ethnicity occupation role name
    email phone address consent version total key legend warning important example tip
    step aim aims purpose context update edit source result results answer response
    comment comments observation observations attendees present apologies memo end start
    session module week day month year today yesterday tomorrow morning afternoon evening
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december""".split()
)
_SENTENCE_STARTERS = frozenset(
    """yes no ok okay well so and but or then because also however actually basically
    anyway like oh um uh erm er hmm right sure thanks thank the an this that these those
    there here it its we you he she they my our your his her their what why how when where
    who which if as in on at for from to of with by about after before during nb ps fyi re
    fw fwd ie eg etc tbc tbd na nhs uk us usa eu covid first second third firstly secondly
    finally lastly plus again now later just maybe perhaps definitely absolutely honestly
    exactly true false correct wrong good great fine bad sorry please hello hi bye wow yeah
    yep nope nah""".split()
)


def clock_seconds(hours: str | None, minutes: str, seconds: str, fraction: str | None) -> float | None:
    """Seconds from the start of the recording, or None if the clock reading is impossible."""
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        total += int(fraction.ljust(3, "0")) / 1000
    return float(total)


def match_timestamp(text: str, pos: int = 0) -> tuple[float, int] | None:
    """A bracketed timestamp such as [00:12:31] at pos: (seconds, end offset)."""
    found = _BRACKETED_CLOCK.match(text, pos)
    if found is None:
        return None
    groups = found.groups()
    parts = groups[:4] if groups[1] is not None else groups[4:]
    seconds = clock_seconds(*parts)
    return None if seconds is None else (seconds, found.end())


def parse_clock(text: str) -> float | None:
    """Seconds for a cell or field holding only a time, bracketed or not."""
    stamp = match_timestamp(text.strip())
    if stamp is not None and stamp[1] == len(text.strip()):
        return stamp[0]
    bare = _BARE_CLOCK.fullmatch(text)
    return clock_seconds(*bare.groups()) if bare else None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _excluded(words: list[str]) -> bool:
    if words[0].lower() in _SENTENCE_STARTERS:
        return True
    return any(word.lower().strip(".") in _NOT_SPEAKERS for word in words)


def speaker_kind(label: str) -> str | None:
    """"role", "id" or "name" if label reads like a speaker, else None."""
    label = " ".join(label.split())
    if not label or len(label) > 30:
        return None
    if _ROLE.fullmatch(label):
        return "role"
    words = label.split()
    if _excluded(words):
        return None
    if _ID.fullmatch(label):
        return "id"
    if words and _NUMBER.fullmatch(words[-1]) and len(words) > 1:
        words = words[:-1]
    if len(words) > 3:
        return None
    if all(_NAME_WORD.fullmatch(word) and word[0].isupper() for word in words):
        return "name"
    return None


def _speaker_name(found: re.Match) -> str:
    speaker = " ".join(found["label"].split())
    if found["qualifier"]:
        speaker += " " + " ".join(found["qualifier"].split())
    return speaker


def _content_after(paragraph: str, pos: int, timestamp: float | None) -> tuple[int, float | None]:
    """Skips the space and any timestamp between a label and the spoken words."""
    pos = _skip_space(paragraph, pos)
    stamp = match_timestamp(paragraph, pos)
    if stamp is not None:
        timestamp = stamp[0] if timestamp is None else timestamp
        pos = _skip_space(paragraph, stamp[1])
    return pos, timestamp


def _stamp_in_label(found: re.Match, timestamp: float | None) -> tuple[bool, float | None]:
    """Checks a bracket between label and separator is a time; "[laughs]:" is not a label."""
    if not found["stamp"]:
        return True, timestamp
    stamp = match_timestamp(found["stamp"].strip())
    if stamp is None:
        return False, timestamp
    return True, stamp[0] if timestamp is None else timestamp


def find_turn(paragraph: str) -> Turn | None:
    """The speaker label and/or timestamp opening a paragraph, or None if it has neither."""
    pos, timestamp = _skip_space(paragraph, 0), None
    stamp = match_timestamp(paragraph, pos)
    if stamp is not None:
        timestamp, pos = stamp[0], _skip_space(paragraph, stamp[1])
    found = _LABEL.match(paragraph, pos)
    if found is not None:
        turn = _labelled_turn(paragraph, found, timestamp)
        if turn is not None:
            return turn
    return Turn(None, pos, timestamp) if timestamp is not None else None


def _separator_fits(kind: str, found: re.Match, paragraph: str) -> bool:
    """Whether this kind of label may be followed by this separator."""
    separator, end = found["sep"], found.end()
    label = found["label"].strip()
    if "\t" in separator and end < len(paragraph):
        return True  # Word transcripts often put a tab between the name and the words
    if separator.strip() == "":
        # A bare line is only a label if nothing else could read that way.
        if found["stamp"]:
            return True
        return kind == "role" or (kind == "id" and not (len(label) > 3 and label.isalpha()))
    if separator.strip() == ":":
        # "Re:Subject" or "Sarah:Jones" is not a name followed by speech.
        return kind != "name" or end >= len(paragraph) or paragraph[end].isspace()
    # "Well - I suppose" is speech; a dash only follows roles, ids or full names.
    if kind == "name":
        return len(label.split()) >= 2
    return kind == "role" or len(label) >= 2


def _labelled_turn(paragraph: str, found: re.Match, timestamp: float | None) -> Turn | None:
    kind = speaker_kind(found["label"])
    ok, timestamp = _stamp_in_label(found, timestamp)
    if kind is None or not ok or not _separator_fits(kind, found, paragraph):
        return None
    start, timestamp = _content_after(paragraph, found.end(), timestamp)
    return Turn(_speaker_name(found), start, timestamp)


def turn_after_bold_label(paragraph: str, label_end: int) -> Turn | None:
    """Reads paragraph[:label_end], set in bold in Word, as a speaker label if it can be one."""
    pos, timestamp = _skip_space(paragraph, 0), None
    stamp = match_timestamp(paragraph, pos)
    if stamp is not None:
        timestamp, pos = stamp[0], _skip_space(paragraph, stamp[1])
    found = _BOLD_LABEL.fullmatch(paragraph, pos, label_end)
    if found is None:
        return None
    label = " ".join(found["label"].split())
    words = label.split()
    if len(label) > 30 or len(words) > 4 or any(c in label for c in "?!,;\"\u201c\u201d"):
        return None
    ok, timestamp = _stamp_in_label(found, timestamp)
    after = _AFTER_BOLD.match(paragraph, label_end)
    has_separator = bool(found["sep"] or after["sep"])
    if not ok or _excluded(words):
        return None
    if speaker_kind(label) is None and not (has_separator and label[0].isupper()):
        return None
    start, timestamp = _content_after(paragraph, after.end(), timestamp)
    return Turn(_speaker_name(found), start, timestamp)
