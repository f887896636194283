"""The coding screen a researcher lives in (issue 13), in headless Chromium: where the picker opens,
codes made while coding, word snapping, keyboard selection, stable number keys, margin labels,
title lines and the skip link."""
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.coding_screen.conftest import coding_app
from tests.conftest import serving, wait_until, watch_csp
from workbench.models import Code, Coding
from workbench.services import codebook, coding, documents, projects

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"
SHOTS = Path("/tmp/shots-screen")
LONG = " ".join(f"Sentence {k} is about the waiting list and the garden group we run." for k in range(1, 13))
TRANSCRIPT = (
    "Community links study: interview 7\n"
    "Interviewer: [00:00:05] Tell me about the café group.\n"
    "P07: [00:00:12] Zoë runs it 🙂 and the naïve e\u0301 version works 👩\u200d⚕️ fine. We trust the surgery now. It took years.\n"
    + "".join(f"Interviewer: Question {k}?\nP07: {LONG}\n" for k in range(1, 5))
    + "Interviewer: Anything else?\nP07: No, that is all."
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coding-keys")
    app, project_id = coding_app(folder, "Keys study", PASSWORD)
    with serving(app) as base:
        yield {"url": base, "app": app, "project": project_id}


@pytest.fixture(scope="module")
def page(live, chromium):
    SHOTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1360, "height": 860})
    page.set_default_timeout(8000)
    page.goto(live["url"] + "/")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Sign out")
    yield page
    page.close()


def open_document(live, page, name, codings=()):
    """A fresh copy of the transcript (so tests do not see each other's codings), opened in the page.
    `codings`: (coder, code path, quoted words, occurrence) applied beforehand."""
    with live["app"].extensions["workbench.sessions"]() as session:
        project = session.get(projects.Project, live["project"])
        document, _ = documents.import_document(session, project, f"{name}.txt", TRANSCRIPT.encode())
        for coder, path, words, occurrence in codings:
            start = -1
            for _ in range(occurrence):
                start = document.text.index(words, start + 1)
            coding.apply_code(session, document, codebook.find_code(session, project.id, path),
                              projects.get_or_create_user(session, coder), start, start + len(words))
        session.commit()
        document_id = document.id
    page.goto(f"{live['url']}/projects/{live['project']}/documents/{document_id}")
    page.wait_for_selector(".said")
    return document_id


def stored(live, document_id):
    """(coded text, code path, coder) of the document's codings, in order."""
    with live["app"].extensions["workbench.sessions"]() as session:
        paths = {n.code.id: n.path for n in codebook.codebook(session, live["project"])}
        rows = session.scalars(select(Coding).where(Coding.document_id == document_id).order_by(Coding.start, Coding.id))
        return [(c.document.text[c.start:c.end], paths[c.code_id], c.coder.username) for c in rows]


SELECT = """([fromText, fromIndex, toText, toIndex, occurrence]) => {
  // A DOM Range found in the rendered text nodes, independently of coding.js's own mapping.
  const find = (needle, nth) => { const walker = document.createTreeWalker(document.getElementById('transcript'), NodeFilter.SHOW_TEXT);
    let node, seen = 0; while ((node = walker.nextNode())) { const at = node.data.indexOf(needle); if (at >= 0 && ++seen >= nth) return [node, at]; } throw new Error(needle); };
  const [a, i] = find(fromText, occurrence || 1), [b, j] = find(toText, occurrence || 1);
  const range = document.createRange(); range.setStart(a, i + fromIndex); range.setEnd(b, j + (toIndex < 0 ? toText.length : toIndex));
  getSelection().removeAllRanges(); getSelection().addRange(range);
}"""

BOXES = """() => { const span = window.pendingSpan, r = workbenchCoding.rangeFor(span.start, span.end).getBoundingClientRect(),
  p = document.getElementById('picker').getBoundingClientRect();
  return {sel: [r.left, r.top, r.right, r.bottom], picker: [p.left, p.top, p.right, p.bottom], height: innerHeight}; }"""

POINT = """([needle, offset, nth]) => { // a viewport point just inside the left edge of the character at needle + offset
  const walker = document.createTreeWalker(document.getElementById('transcript'), NodeFilter.SHOW_TEXT);
  let node, seen = 0; while ((node = walker.nextNode())) { const at = node.data.indexOf(needle);
    if (at >= 0 && ++seen >= (nth || 1)) { const r = document.createRange(); r.setStart(node, at + offset); r.setEnd(node, at + offset + 1);
      const b = r.getBoundingClientRect(); return [b.left + 1, b.top + b.height / 2]; } } throw new Error(needle); }"""


def open_picker_on(page, *select_args):
    page.evaluate(SELECT, list(select_args[:5]))
    if len(select_args) > 5:
        page.evaluate(select_args[5])  # e.g. scroll the selection into a place
    page.evaluate("window.pendingSpan = workbenchCoding.selectionSpan()")
    page.keyboard.press("c")
    picker = page.get_by_role("dialog", name="Apply codes")
    expect(picker).to_be_visible()
    return picker


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def drag(page, start, end, alt=False):
    page.mouse.move(*page.evaluate(POINT, start))
    if alt:
        page.keyboard.down("Alt")
    page.mouse.down()
    page.mouse.move(*page.evaluate(POINT, end), steps=6)
    page.mouse.up()
    if alt:
        page.keyboard.up("Alt")


def test_the_picker_never_covers_a_multi_line_selection_and_shows_it_whole(live, page):
    errors = watch_csp(page)
    open_document(live, page, "placement")
    page.evaluate("document.querySelectorAll('.said')[4].scrollIntoView({block: 'start'})")
    picker = open_picker_on(page, "Sentence 2 is", 0, "Sentence 9 is", 8, 1)
    boxes = page.evaluate(BOXES)
    assert boxes["sel"][3] - boxes["sel"][1] > 40, "the selection spans several lines"
    assert not overlap(boxes["sel"], boxes["picker"]), boxes
    assert boxes["picker"][1] >= boxes["sel"][3], "there is room below: the picker opens below the selection"
    quote = page.locator("#picker-quote")
    whole = page.evaluate("workbenchCoding.rangeFor(pendingSpan.start, pendingSpan.end).toString()")
    assert len(whole) > 400 and quote.inner_text() == whole, "the whole selected text, not 57 characters"
    assert page.evaluate("(q => q.scrollHeight > q.clientHeight && getComputedStyle(q).overflowY === 'auto')(document.getElementById('picker-quote'))")
    page.screenshot(path=SHOTS / "picker-below.png")
    picker.get_by_role("button", name="Cancel").click()

    # Near the bottom of the screen it flips above the selection.
    picker = open_picker_on(page, "Sentence 10 is", 0, "Sentence 11 is", 8, 1,
                            "scrollBy(0, getSelection().getRangeAt(0).getBoundingClientRect().bottom - innerHeight + 40)")
    boxes = page.evaluate(BOXES)
    assert boxes["height"] - 60 < boxes["sel"][3] < boxes["height"] and boxes["sel"][3] - boxes["sel"][1] > 20, boxes
    assert not overlap(boxes["sel"], boxes["picker"]), boxes
    assert boxes["picker"][3] <= boxes["sel"][1] and boxes["picker"][1] >= 0, "flipped above, still on screen"
    page.screenshot(path=SHOTS / "picker-above.png")
    picker.get_by_role("button", name="Cancel").click()
    assert errors == []


def test_a_new_code_is_made_from_the_picker_at_the_top_level_or_under_a_code(live, page):
    document_id = open_document(live, page, "create")
    picker = open_picker_on(page, "café group", 0, "café group", -1, 1)
    search = picker.get_by_label("Find a code")
    search.fill("Trust")
    expect(picker.get_by_role("option", name="Create ‘Trust’")).to_have_count(0)  # that name exists: no duplicate offered
    search.fill("Loneliness")
    expect(picker.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    expect(picker.get_by_role("option", name="Create ‘Loneliness’")).to_be_visible()
    expect(picker.get_by_label("New code goes under")).to_have_value("")  # the top level
    page.screenshot(path=SHOTS / "picker-create.png")
    search.press("Enter")
    expect(page.locator("mark[title='Loneliness (ana)']")).to_have_text("café group")
    expect(page.locator("#passage-status")).to_contain_text("Created and coded ‘Loneliness’")

    picker = open_picker_on(page, "surgery", 0, "surgery", -1, 1)
    picker.get_by_label("Find a code").fill("Isolation")
    picker.get_by_label("New code goes under").select_option(label="Trust")
    picker.get_by_role("option", name="Create ‘Isolation’").click()
    expect(page.locator("mark[title='Trust/Isolation (ana)']")).to_have_text("surgery")
    expect(page.locator(".side-codebook li", has_text="Isolation")).to_have_count(1)
    assert stored(live, document_id) == [("café group", "Loneliness", "ana"), ("surgery", "Trust/Isolation", "ana")]
    # the new codes are in the picker at once, in codebook order (Isolation after Trust's other children)
    open_picker_on(page, "years", 0, "years", -1, 1)
    paths = page.locator("#picker-list li").all_inner_texts()
    assert [p.split("\n")[-1] for p in paths][:4] == ["Trust", "Trust/Between sectors", "Trust/Patient trust", "Trust/Isolation"]
    page.keyboard.press("Escape")


def test_in_vivo_makes_the_selected_words_a_code(live, page):
    document_id = open_document(live, page, "in-vivo")
    page.evaluate(SELECT, ["naïve", 0, "version", -1, 1])
    page.keyboard.press("v")
    expect(page.locator("#passage-status")).to_contain_text("Created and coded ‘naïve e\u0301 version’")
    picker = open_picker_on(page, ". It took", 2, "years", -1, 1)
    picker.get_by_role("button", name="In vivo").click()
    expect(page.locator("mark[title='It took years (ana)']")).to_have_text("It took years")
    assert stored(live, document_id) == [("naïve e\u0301 version", "naïve e\u0301 version", "ana"), ("It took years", "It took years", "ana")]
    with live["app"].extensions["workbench.sessions"]() as session:
        assert session.scalar(select(Code.parent_id).where(Code.name == "It took years")) is None


def test_mouse_selections_snap_to_whole_words_unless_alt_is_held(live, page):
    document_id = open_document(live, page, "snapping")
    drag(page, ["runs it", 2], ["works", 2])  # from "ru|ns" to "wo|rks", across an emoji and a combining accent
    expect(page.locator("#picker-quote")).to_have_text("runs it 🙂 and the naïve e\u0301 version works")
    page.keyboard.press("Enter")  # the highlighted first code
    expect(page.locator("mark")).to_have_count(1)
    drag(page, ["runs it", 2], ["works", 2], alt=True)
    expect(page.locator("#picker-quote")).to_have_text("ns it 🙂 and the naïve e\u0301 version wo")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelectorAll('.margin .tag').length === 1 && document.querySelector('.margin .tag').dataset.codings.includes(' ')")
    assert [t for t, _, _ in stored(live, document_id)] == ["runs it 🙂 and the naïve e\u0301 version works", "ns it 🙂 and the naïve e\u0301 version wo"]
    # An end between a letter and its combining accent, or inside an emoji, snaps past them (UTF-16 offsets).
    turn = page.evaluate("document.querySelectorAll('.said')[2].dataset.start")
    said = TRANSCRIPT.split("\n")[2][len("P07: [00:00:12] "):]
    units = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    e_at, hug = units(said[:said.index("e\u0301")]), units(said[:said.index("\u200d")])
    snapped = page.evaluate("([s, a, b, c]) => [workbenchCoding.snapped({start: s + a, end: s + b}), workbenchCoding.snapped({start: s + c, end: s + c + 4})]",
                            [int(turn), e_at, e_at + 1, hug - 1])
    assert snapped[0] == {"start": int(turn) + e_at, "end": int(turn) + e_at + 2}
    assert snapped[1]["start"] == int(turn) + units(said[:said.index("👩")])  # not inside the surrogate pair


def test_keyboard_selection_by_word_and_by_sentence(live, page):
    open_document(live, page, "keyboard")
    page.locator(".said").nth(2).focus()
    selected = lambda: page.evaluate("getSelection().toString()")  # noqa: E731
    page.keyboard.press("Shift+ArrowRight")
    assert selected() == "Zoë"
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert selected() == "Zoë runs it"
    page.keyboard.press("Shift+Alt+ArrowRight")
    assert selected() == "Zoë runs it 🙂 and the naïve e\u0301 version works 👩\u200d⚕️ fine."
    page.keyboard.press("Shift+Alt+ArrowRight")
    assert selected().endswith("fine. We trust the surgery now.")
    page.keyboard.press("Control+Shift+ArrowRight")  # Ctrl: the start moves
    assert selected().startswith("runs it 🙂")
    page.keyboard.press("Shift+Alt+ArrowLeft")
    assert selected() == "runs it 🙂 and the naïve e\u0301 version works 👩\u200d⚕️ fine."
    page.keyboard.press("Shift+ArrowLeft")
    assert selected() == "runs it 🙂 and the naïve e\u0301 version works 👩\u200d⚕️ fine"
    expect(page.locator(".keys-help")).to_contain_text("by a sentence")


def test_number_keys_are_stable_announced_and_follow_pins(live, page):
    document_id = open_document(live, page, "digits")
    page.evaluate("window.changes = []; document.addEventListener('workbench:changed', e => changes.push(e.detail.message))")
    page.evaluate(SELECT, ["café", 0, "café", -1, 1])
    page.keyboard.press("3")
    wait_until(page, "changes.length === 1")
    assert page.evaluate("changes[0]") == "Coded ‘Trust/Patient trust’ (key 3) on turn 2."
    page.evaluate(SELECT, ["group", 0, "group", -1, 1])
    page.keyboard.press("1")  # after using 3, key 1 is still the codebook's first code
    wait_until(page, "changes.length === 2")
    assert "‘Trust’ (key 1)" in page.evaluate("changes[1]")
    picker = open_picker_on(page, "surgery", 0, "surgery", -1, 1)
    assert picker.locator("li", has_text="Trust/Patient trust").locator("kbd").inner_text() == "3"
    page.keyboard.press("Escape")

    key_of = lambda name: page.locator(".side-codebook li", has_text=name).locator("kbd.shortcut")  # noqa: E731
    with live["app"].extensions["workbench.sessions"]() as session:  # other tests here add codes: count, do not assume
        workload = 1 + [n.path for n in codebook.codebook(session, live["project"])].index("Time and resources/Workload and capacity")
    expect(key_of("Workload and capacity")).to_have_text(str(workload))
    page.get_by_role("button", name="Pin Time and resources/Workload and capacity to a number key").click()
    expect(key_of("Workload and capacity")).to_have_text("1")
    expect(key_of("Between sectors")).to_have_text("")  # with a pin, only pinned codes have keys
    expect(page.get_by_role("button", name="Pin Time and resources/Workload and capacity to a number key")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=SHOTS / "pinned.png")
    page.evaluate(SELECT, ["surgery", 0, "surgery", -1, 1])
    page.keyboard.press("1")
    wait_until(page, "changes.length === 3")
    assert page.evaluate("changes[2]") == "Coded ‘Time and resources/Workload and capacity’ (key 1) on turn 3."
    page.reload()  # pins are kept on the server
    page.evaluate(SELECT, ["years", 0, "years", -1, 1])
    page.keyboard.press("2")
    expect(page.locator("#passage-status")).to_contain_text("No code has key 2")
    page.get_by_role("button", name="Pin Time and resources/Workload and capacity to a number key").click()
    expect(key_of("Workload and capacity")).to_have_text(str(workload))  # no pins: the codebook's first nine again
    expect(key_of("Between sectors")).to_have_text("2")
    assert [(t, p) for t, p, _ in stored(live, document_id)] == [
        ("café", "Trust/Patient trust"), ("group", "Trust"), ("surgery", "Time and resources/Workload and capacity")]


def test_one_margin_label_per_code_per_turn_naming_its_coders(live, page):
    open_document(live, page, "labels", [("ana", "Trust", "Zoë runs it", 1), ("ben", "Trust", "Zoë runs it", 1),
                                         ("ana", "Trust", "fine", 1), ("ben", "Trust/Patient trust", "surgery", 1)])
    margin = page.locator("#turn-2 .margin .tag")
    expect(margin).to_have_count(2)
    expect(margin.first).to_have_text("Trust · ana, ben")
    expect(margin.nth(1)).to_have_text("Trust/Patient trust · ben")
    margin.first.click()
    expect(page.locator("#coding-details article")).to_have_count(3)
    page.evaluate(SELECT, ["naïve", 0, "naïve", -1, 1])
    page.keyboard.press("1")  # a fourth Trust coding on the same turn, rendered by coding.js
    expect(page.locator("#turn-2 .stripes span")).to_have_count(5)
    expect(margin).to_have_count(2)
    expect(margin.first).to_have_text("Trust · ana, ben")
    page.screenshot(path=SHOTS / "margin-labels.png")


def test_the_title_line_is_a_heading_and_the_skip_link_reaches_the_first_turn(live, page):
    errors = watch_csp(page)
    open_document(live, page, "title")
    expect(page.get_by_role("heading", name="Community links study: interview 7")).to_be_visible()
    assert "—" not in page.locator("#transcript .who").all_inner_texts()
    page.locator("body").focus()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to transcript"
    page.screenshot(path=SHOTS / "skip-link.png")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement === document.querySelectorAll('.said')[0]")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement === document.querySelectorAll('.said')[2]")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement === document.querySelectorAll('.said')[1]")
    page.screenshot(path=SHOTS / "title-and-turns.png")
    assert errors == []
