"""The finders on hand-made sentences: each expected span worked out by counting characters."""
from workbench.deid import finders
from workbench.deid.pseudonyms import Templates, letters


def test_nhs_number_check_digit():
    """943 476 5919: 9×10+4×9+3×8+4×7+7×6+6×5+5×4+9×3+1×2 = 299; 299 mod 11 = 2; 11 − 2 = 9 = the last digit.
    The same number ending in 8 fails; a total giving check 10 is never valid (000000001x: 1×2=2 -> 9;
    1000000010: 10 mod 11 = 10, 11 − 10 = 1 ≠ 0)."""
    assert finders.nhs_number_valid("9434765919")
    assert not finders.nhs_number_valid("9434765918")
    assert not finders.nhs_number_valid("1000000010")
    assert not finders.nhs_number_valid("943476591")


def test_patterns():
    text = "Ring 07700 900123, mail jo@example.org, web www.example.org/a. NE1 4XY. NHS 943 476 5919, not 943 476 5918. Born 3 March 1961."
    found = {(f.type, f.text) for f in finders.patterns(text)}
    assert found == {("phone", "07700 900123"), ("email", "jo@example.org"), ("url", "www.example.org/a"),
                     ("postcode", "NE1 4XY"), ("nhs number", "943 476 5919"), ("date of birth", "3 March 1961")}


def test_a_date_far_from_birth_words_is_not_a_date_of_birth():
    assert finders.patterns("We met on 3 March 1961 at the hall.") == []


def test_proper_nouns_not_sentence_initial_and_rare():
    """"Kirsty" mid-sentence is a candidate; "Monday" is common; "Kirsty" opening the second sentence
    is not a candidate (the sweep finds it later); "Dr Ashworth" keeps its title and is a person."""
    text = "I saw Kirsty on Monday. Kirsty said Dr Ashworth’s clinic was full."
    found = [(f.text, f.type, f.start) for f in finders.proper_nouns(text)]
    assert found == [("Kirsty", "name", 6), ("Dr Ashworth", "person", 36)]


def test_sweep_finds_every_occurrence_longest_first():
    pattern = finders.matcher(["Northfield", "Northfield Health Centre"])
    text = "Northfield Health Centre is in northfield."
    found = finders.sweep(text, pattern, {"northfield": "place", "northfield health centre": "organisation"})
    assert [(f.start, f.end, f.type) for f in found] == [(0, 24, "organisation"), (31, 41, "place")]


def test_term_key_joins_titles_and_case():
    assert finders.term_key("Dr Patel") == finders.term_key("patel") == "patel"


def test_templates_number_per_label():
    templates = Templates(taken=["[Person 1]"])
    assert [templates.next("person"), templates.next("person", "GP"), templates.next("place"), templates.next("place"),
            templates.next("organisation")] == ["[Person 2]", "[GP 1]", "[Town A]", "[Town B]", "[Organisation A]"]
    assert letters(27) == "AA" and letters(26) == "Z" and letters(28) == "AB"


def test_matcher_takes_the_longest_term_that_ends_a_word():
    """Terms share prefixes (one trie): in "Northfield Health Clinic" the longer term does not fit
    ("Clinic" is not "Centre"), so "Northfield" (0-10) is matched; "Northfield  Health\\tCentre" with
    two spaces and a tab is the long term (0-25); "Northfielders" ends no term; case is ignored;
    a line break does not join the words of a term."""
    pattern = finders.matcher(["Northfield", "Northfield Health Centre", "North Shields", "Dr Ng"])
    spans = lambda text: [(m.start(), m.end()) for m in pattern.finditer(text)]
    assert spans("Northfield Health Clinic") == [(0, 10)]
    assert spans("Northfield  Health\tCentre") == [(0, 25)]
    assert spans("Northfielders") == []
    assert spans("NORTH SHIELDS and dr ng") == [(0, 13), (18, 23)]
    assert spans("Northfield Health\nCentre") == [(0, 10)]
    assert finders.matcher(["", "  "]) is None
