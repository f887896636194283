"""The coding screen in headless Chromium, as a researcher uses it: import, select, code, review, retrieve."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.coding_screen.conftest import coding_app
from tests.conftest import SCREENSHOTS as SHOTS, serving, wait_until
from workbench.models import Coding, Document
from workbench.services import codebook, coding, projects

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"
TRANSCRIPT = (
    "Interviewer: [00:00:05] Tell me about the café group.\n"
    "P07: [00:00:12] Zoë runs it 🙂 and the naïve e\u0301 version works 👩\u200d⚕️ fine.\n"
    "Interviewer: [00:01:02] And referrals?\n"
    "P07: [00:01:10] We send people every week 🙂 honestly."
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coding-screen")
    app, project_id = coding_app(folder, "Café study", PASSWORD)
    with serving(app) as base:
        yield {"url": base, "app": app, "project": project_id, "folder": folder}


@pytest.fixture(scope="module")
def page(live, chromium):
    page = chromium.new_page(viewport={"width": 1360, "height": 860})
    page.set_default_timeout(8000)
    yield page
    page.close()


def codings(live, coder=None):
    """(coded text, code path, coder) of every coding in the database, in document order."""
    with live["app"].extensions["workbench.sessions"]() as session:
        paths = {n.code.id: n.path for n in codebook.codebook(session, live["project"])}
        rows = session.scalars(select(Coding).order_by(Coding.start, Coding.id))
        return [(c.document.text[c.start:c.end], paths[c.code_id], c.coder.username) for c in rows if coder in (None, c.coder.username)]


SELECT = """([fromText, fromIndex, toText, toIndex]) => {
  // Build a DOM Range by searching the rendered text nodes, independently of coding.js's own mapping.
  const find = (needle) => { const walker = document.createTreeWalker(document.getElementById('transcript'), NodeFilter.SHOW_TEXT);
    let node; while ((node = walker.nextNode())) { const at = node.data.indexOf(needle); if (at >= 0) return [node, at]; } throw new Error(needle); };
  const [a, i] = find(fromText), [b, j] = find(toText);
  const range = document.createRange(); range.setStart(a, i + fromIndex); range.setEnd(b, j + (toIndex < 0 ? toText.length : toIndex));  // -1: the end of toText, in UTF-16 units
  getSelection().removeAllRanges(); getSelection().addRange(range);
}"""


def suggestions_answered(page):
    """Opening the picker announces the selection and the suggestion panel asks the server. Wait for
    its answer before coding: on SQLite two overlapping write transactions make the later one fail
    with "database is locked" (see the report of issue 6), which is not what these tests are about."""
    return page.expect_response(lambda response: "/suggestions?" in response.url)


def test_code_a_transcript_end_to_end(live, page):
    base = live["url"]
    page.goto(base + "/")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Café study").click()
    upload = live["folder"] / "P07_cafe.txt"
    upload.write_text(TRANSCRIPT, encoding="utf-8")
    page.get_by_label("Transcript files").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("link", name="P07_cafe").click()
    assert page.locator(".speaker", has_text="P07").count() == 2 and page.locator(".time").first.inner_text() == "00:00:05"
    page.evaluate("window.heard = []; document.addEventListener('workbench:selection', e => window.heard.push(e.detail))")

    # 1. Mouse: drag across "café group", the picker opens; type ahead and press Enter.
    box = page.evaluate("""() => { const t = document.querySelector('.said').firstChild, r = document.createRange();
      const at = t.data.indexOf('café'); r.setStart(t, at); r.setEnd(t, at + 1); const a = r.getBoundingClientRect();
      r.setStart(t, t.data.indexOf('group') + 4); r.setEnd(t, t.data.indexOf('group') + 5); const b = r.getBoundingClientRect();
      return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2]; }""")
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=5)
    with suggestions_answered(page):
        page.mouse.up()
    picker = page.get_by_role("dialog", name="Apply codes")
    picker.get_by_label("Find a code").fill("betw")
    assert picker.get_by_role("option").count() == 1
    page.mouse.click(5, 5)  # the picker must stay open: it is only closed by Apply, Cancel or Escape
    assert picker.is_visible()
    page.screenshot(path=SHOTS / "coding-picker.png")
    picker.get_by_label("Find a code").press("Enter")
    assert page.locator("mark[title='Trust/Between sectors (ana)']").inner_text() == "café group"
    cafe = TRANSCRIPT.index("café")  # no astral characters before it: UTF-16 offset = code point
    wait_until(page, "window.heard.length > 1 && window.heard.at(-1).start === null")  # applying clears the selection, and the panel hears so
    assert {"documentId": 1, "projectId": live["project"], "start": cafe, "end": cafe + 10} in page.evaluate("window.heard")
    page.reload()
    assert page.locator("mark[title='Trust/Between sectors (ana)']").inner_text() == "café group"
    assert codings(live) == [("café group", "Trust/Between sectors", "ana")]

    # 2. Review and remove it from the margin label (keyboard reachable button).
    page.get_by_role("button", name="Trust/Between sectors · ana").click()
    details = page.locator("#coding-details")
    expect(details).to_contain_text("Coded by ana · origin: manual")
    details.get_by_label("Add a memo").fill("First mention of the café.")
    details.get_by_role("button", name="Save memo").click()
    expect(details.get_by_text("First mention of the café.")).to_be_visible()
    details.get_by_role("button", name="Remove this coding").click()
    expect(page.locator("mark")).to_have_count(0)
    assert codings(live) == []
    page.reload()
    assert page.locator("mark").count() == 0

    # 3. Emoji, combining characters and a span across turns: DOM Range + keyboard (c, type, Enter).
    page.evaluate(SELECT, ["runs it", 0, "And referrals", 3])
    with suggestions_answered(page):
        page.keyboard.press("c")
    page.keyboard.type("workload")
    page.keyboard.press("Enter")
    expect(page.locator("#passage-status")).to_contain_text("Coded ‘Time and resources/Workload and capacity’ (key 5) on turn 2.")
    text = TRANSCRIPT
    expected = text[text.index("runs it"):text.index("And referrals") + 3]
    assert codings(live) == [(expected, "Time and resources/Workload and capacity", "ana")]
    # inside one turn, with the number key of the code (5: its place in the codebook, not recency)
    page.evaluate(SELECT, ["🙂 and the", 0, "👩\u200d⚕️", -1])
    page.keyboard.press("5")
    # both Workload codings start in this turn: one margin label for the code, covering the two
    wait_until(page, "document.querySelectorAll('.margin .tag').length === 1 && document.querySelector('.margin .tag').dataset.codings.split(' ').length === 2")
    assert ("🙂 and the naïve e\u0301 version works 👩\u200d⚕️", "Time and resources/Workload and capacity", "ana") in codings(live)
    # keyboard only: focus a turn, Enter selects it, Shift+ArrowLeft trims by words, c opens the picker, ticks 2 codes
    page.locator(".said").nth(3).focus()
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")  # "honestly." -> "honestly" -> "week" -> "every"
    with suggestions_answered(page):
        page.keyboard.press("c")
    page.keyboard.type("trust")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # the highlighted second match: Trust/Between sectors
    expect(page.locator(".said").nth(3).locator("mark")).to_have_count(1)
    assert ("We send people every", "Trust/Between sectors", "ana") in codings(live)
    page.evaluate(SELECT, ["referrals", 0, "referrals", 9])
    with suggestions_answered(page):
        page.keyboard.press("c")
    page.keyboard.press("2")
    page.keyboard.press("5")
    page.keyboard.press("Enter")
    expect(page.locator("#turn-2 .stripes span")).to_have_count(3)  # the cross-turn coding and the two new ones
    assert {(t, p) for t, p, _ in codings(live) if t == "referrals"} == {("referrals", "Trust/Between sectors"), ("referrals", "Time and resources/Workload and capacity")}
    page.screenshot(path=SHOTS / "coding-document.png", full_page=True)

    # 4. Another coder's work arrives (as the suggestion panel would announce it) and the coder filter.
    with live["app"].extensions["workbench.sessions"]() as session:
        document = session.scalar(select(Document))
        start = document.text.index("fine")
        code = codebook.find_code(session, live["project"], "Trust/Patient trust")
        made = coding.apply_code(session, document, code, projects.get_or_create_user(session, "ben"), start, start + 4)
        session.commit()
    page.evaluate("document.dispatchEvent(new CustomEvent('workbench:coded', {detail: {coding: {}}}))")
    page.wait_for_selector("mark[title*='Trust/Patient trust (ben)']")
    page.get_by_label("Coder").select_option("ben")
    page.wait_for_url("**coder=ben")
    assert page.locator("mark").count() == 1 and "ana" not in page.locator("#transcript").inner_text()
    page.get_by_label("Coder").select_option("")
    page.wait_for_url(lambda url: "coder=ben" not in url)

    # clicking a coded passage shows every coding under the click, with a text label for each colour
    page.locator("mark", has_text="referrals").click()
    expect(page.locator("#coding-details article")).to_have_count(2)
    page.get_by_label("Code", exact=True).select_option(label="Trust/Between sectors")
    page.wait_for_url("**code=*")
    expect(page.locator(".margin .tag")).to_have_count(2)
    page.get_by_label("Code", exact=True).select_option("")
    page.wait_for_url(lambda url: "code=" not in url)

    # 5. Next / previous coded passage, by button and by key.
    page.get_by_role("button", name="Next passage").click()
    status = page.locator("#passage-status")
    expect(status).to_contain_text("Passage 1 of 6: Time and resources/Workload and capacity (ana)")
    page.keyboard.press("n")
    expect(status).to_contain_text("Passage 2 of 6")
    page.keyboard.press("p")
    expect(status).to_contain_text("Passage 1 of 6")
    expect(page.locator("#coding-details")).to_contain_text("Coded by ana")
    assert made.id


def test_codebook_retrieval_and_search_screens(live, page):
    base, project = live["url"], live["project"]
    page.goto(f"{base}/projects/{project}/codebook")
    page.get_by_label("New code").fill("Reciprocity")
    page.get_by_role("button", name="Add code").click()
    page.wait_for_selector("text=Added “Reciprocity”.")
    row = page.locator("tr[data-path='Reciprocity']")
    row.get_by_role("button", name="Rename").click()
    page.get_by_label("New name for Reciprocity").fill("Give and take")
    page.get_by_label("New name for Reciprocity").press("Enter")
    page.wait_for_selector("tr[data-path='Give and take']")
    page.locator("tr[data-path='Give and take']").drag_to(page.locator("tr[data-path='Trust']"))
    page.get_by_role("button", name="Move under it").click()
    page.wait_for_selector("tr[data-path='Trust/Give and take']")
    page.locator("tr[data-path='Trust/Between sectors']").get_by_role("button", name="Edit").click()
    editor = page.get_by_role("dialog", name="Edit code")
    editor.get_by_label("Definition").fill("Trust across the GP–VCS boundary.")
    editor.get_by_label("Colour").fill("#336699")
    editor.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Saved “Between sectors”.")
    assert "Trust across the GP–VCS boundary." in page.locator("tr[data-path='Trust/Between sectors']").inner_text()
    page.get_by_role("button", name="Collapse Time and resources").click()
    assert not page.locator("tr[data-path='Time and resources/Workload and capacity']").is_visible()
    page.screenshot(path=SHOTS / "coding-codebook.png", full_page=True)

    page.locator("tr[data-path='Time and resources']").get_by_role("link", name="Passages").click()
    assert page.locator(".passage").count() == 0
    page.get_by_label("include subcodes").check()
    page.get_by_role("button", name="Filter").click()
    assert page.locator(".passage").count() == 3  # the three Workload and capacity codings
    page.get_by_label("Add a memo").fill("Mostly about caseloads so far.")
    page.get_by_role("button", name="Save memo").click()
    expect(page.get_by_text("Memo saved.")).to_be_visible()
    page.screenshot(path=SHOTS / "coding-retrieval.png", full_page=True)

    page.goto(f"{base}/projects/{project}")
    page.get_by_label("Search transcripts").fill("café")
    page.get_by_label("Search transcripts").press("Enter")
    assert page.locator("mark.hit").count() == 1
    page.get_by_label("Words or phrase").fill('"every WEEK" 🙂')  # an emoji is no word: the phrase is what counts
    page.get_by_role("button", name="Search").click()
    assert page.locator("mark.hit").inner_text() == "every week"
    page.get_by_label("Words or phrase").fill("people")
    page.get_by_role("button", name="Search").click()
    page.screenshot(path=SHOTS / "coding-search.png", full_page=True)
