// coding.js: the coding screen. Selections become UTF-16 offsets into the document text; the server
// converts them to code points once. Every .said paragraph carries data-start/data-end (UTF-16) and
// its text nodes concatenate to exactly that slice of the document, so Range.toString().length is
// the offset within the turn.
import { api, memoWidget, escapeHtml } from "./coding_parts.js";
import { numberKeys } from "./coding_keys.js";
import { placeBeside, wordSelection } from "./coding_select.js";

const screen = document.getElementById("coding-screen");
if (screen) init(screen);

function init(screen) {
  document.documentElement.classList.add("js");
  const projectId = Number(screen.dataset.project);
  const documentId = Number(screen.dataset.document);
  const user = screen.dataset.user;
  const canCode = screen.dataset.canCode === "yes";
  const isOwner = screen.dataset.owner === "yes";
  const data = JSON.parse(document.getElementById("coding-data").textContent);
  const codes = new Map(data.codes.map((c) => [c.id, c]));
  let codings = data.codings.map((row) => Object.fromEntries(data.fields.map((f, k) => [f, row[k]])));
  const transcript = document.getElementById("transcript");
  const saids = [...transcript.querySelectorAll(".said")];
  const bounds = saids.map((s) => [Number(s.dataset.start), Number(s.dataset.end)]);
  const params = new URLSearchParams(location.search);
  const filter = { coder: params.get("coder") || "", code: Number(params.get("code")) || null };
  const details = document.getElementById("coding-details");
  const status = document.getElementById("passage-status");
  const base = `/api/projects/${projectId}`;

  // ---- offsets ------------------------------------------------------------------------------
  function turnAt(offset) { // index of the last turn starting at or before `offset`
    let lo = 0, hi = bounds.length - 1, found = 0;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (bounds[mid][0] <= offset) { found = mid; lo = mid + 1; } else hi = mid - 1; }
    return found;
  }
  function boundaryOffset(node, offset, isStart) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const said = element && element.closest(".said");
    if (said && transcript.contains(said)) {
      const range = document.createRange();
      range.setStart(said, 0);
      range.setEnd(node, offset);
      return Number(said.dataset.start) + range.toString().length;
    }
    // A boundary on a speaker name or in the margin snaps to the nearest spoken text.
    let lo = 0, hi = saids.length - 1, after = saids.length;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, range = document.createRange();
      range.selectNodeContents(saids[mid]);
      if (range.comparePoint(node, offset) < 0) { after = mid; hi = mid - 1; } else lo = mid + 1;
    }
    if (isStart) return after < saids.length ? bounds[after][0] : null;
    return after > 0 ? bounds[after - 1][1] : null;
  }
  function selectionSpan() {
    const selection = getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(transcript)) return null;
    const start = boundaryOffset(range.startContainer, range.startOffset, true);
    const end = boundaryOffset(range.endContainer, range.endOffset, false);
    return start !== null && end !== null && end > start ? { start, end } : null;
  }
  function point(offset) { // DOM position of a document offset (snapped into the nearest turn)
    const i = turnAt(offset), said = saids[i];
    let rest = Math.max(0, Math.min(offset, bounds[i][1]) - bounds[i][0]);
    const walker = document.createTreeWalker(said, NodeFilter.SHOW_TEXT);
    let node = null;
    while ((node = walker.nextNode())) {
      if (rest <= node.length) return [node, rest];
      rest -= node.length;
    }
    return [said, said.childNodes.length];
  }
  function rangeFor(start, end) {
    const range = document.createRange();
    range.setStart(...point(start));
    range.setEnd(...point(end));
    return range;
  }
  function select(start, end) {
    const range = rangeFor(start, end);
    getSelection().setBaseAndExtent(range.startContainer, range.startOffset, range.endContainer, range.endOffset);
  }
  const { snapped, extendSelection } = wordSelection({ saids, bounds, turnAt, selectionSpan, select });
  window.workbenchCoding = { selectionSpan, rangeFor, snapped }; // for tests and the suggestion panel

  // ---- a passage linked from retrieval: #passage-<start>-<end> (UTF-16), marked and scrolled to ----
  function markLinked() {
    const found = /^#passage-(\d+)-(\d+)$/.exec(location.hash);
    if (!found || !saids.length) return;
    const start = Number(found[1]), end = Number(found[2]);
    if (!(end > start)) return;
    const range = rangeFor(start, end);
    if (window.CSS && CSS.highlights) CSS.highlights.set("linked-passage", new Highlight(range));
    document.querySelectorAll(".said.linked-passage").forEach((s) => s.classList.remove("linked-passage"));
    const first = saids[turnAt(start)];
    first.classList.add("linked-passage");
    first.scrollIntoView({ block: "center" });
    window.workbenchCoding.linked = { start, end, text: range.toString() };
  }
  addEventListener("hashchange", markLinked);

  // ---- rendering a turn (the server renders the first time; this mirrors document_view.py) ---
  const firstTurn = (c) => { const i = turnAt(c.start); return bounds[i][1] > c.start ? i : i + 1; };
  const path = (c) => (codes.get(c.code_id) || { path: "(deleted code)" }).path;
  const colour = (c) => (codes.get(c.code_id) || { colour: "#cccccc" }).colour;
  const byStart = (a, b) => a.start - b.start || b.end - a.end || a.id - b.id;
  function renderTurn(i) {
    const [s, e] = bounds[i], said = saids[i], text = said.textContent;
    const touching = codings.filter((c) => c.start < e && c.end > s).sort(byStart);
    const cuts = [...new Set([s, e, ...touching.flatMap((c) => [Math.max(c.start, s), Math.min(c.end, e)])])].sort((a, b) => a - b);
    const fragment = document.createDocumentFragment();
    for (let k = 0; k + 1 < cuts.length; k++) {
      const a = cuts[k], b = cuts[k + 1], piece = text.slice(a - s, b - s);
      const covering = touching.filter((c) => c.start <= a && c.end >= b);
      if (!covering.length) { fragment.append(piece); continue; }
      const mark = document.createElement("mark");
      mark.style.cssText = `--c: ${colour(covering.at(-1))}; --n: ${covering.length}`;
      mark.title = covering.map((c) => `${path(c)} (${c.coder})`).join("; ");
      mark.textContent = piece;
      fragment.append(mark);
    }
    said.replaceChildren(fragment);
    const turn = said.closest(".turn");
    turn.querySelector(".stripes").innerHTML = touching.map((c) => `<span style="--c: ${colour(c)}; --l: ${c.lane || 0}"></span>`).join("");
    const labels = new Map(); // one per code, naming its coders, as document_view.margin_html
    touching.filter((c) => firstTurn(c) === i).forEach((c) => labels.set(c.code_id, [...(labels.get(c.code_id) || []), c]));
    turn.querySelector(".margin").innerHTML = [...labels.values()].map((group) =>
      `<li><button type="button" class="tag" data-codings="${group.map((c) => c.id).join(" ")}"><span class="swatch" style="background: ${colour(group[0])}"></span>` +
      `${escapeHtml(path(group[0]))} <span class="muted">· ${escapeHtml([...new Set(group.map((c) => c.coder))].join(", "))}</span></button></li>`).join("");
  }
  function rerender(spans) {
    const touched = new Set();
    for (const { start, end } of spans) for (let i = turnAt(start); i < bounds.length && bounds[i][0] < Math.max(end, start + 1); i++) touched.add(i);
    touched.forEach(renderTurn);
    document.getElementById("coding-count").textContent = codings.length;
    const counts = new Map();
    codings.forEach((c) => counts.set(c.code_id, (counts.get(c.code_id) || 0) + 1));
    document.querySelectorAll("[data-count]").forEach((el) => { el.textContent = counts.get(Number(el.dataset.count)) || 0; });
  }
  function lane(c) { // the lowest margin lane no overlapping coding uses
    const used = new Set(codings.filter((o) => o !== c && o.start < c.end && o.end > c.start).map((o) => o.lane));
    let l = 0; while (used.has(l) && l < 7) l++; return l;
  }
  const shown = (c) => (!filter.coder || c.coder === filter.coder) && (!filter.code || c.code_id === filter.code);
  function merge(fresh) { // replace the list, re-rendering only turns whose codings changed
    const old = new Map(codings.map((c) => [c.id, c])), now = new Map(fresh.map((c) => [c.id, c]));
    const changed = [...fresh.filter((c) => !old.has(c.id)), ...codings.filter((c) => !now.has(c.id))];
    fresh.forEach((c) => { c.lane = old.has(c.id) ? old.get(c.id).lane : -1; }); // -1: not placed yet
    codings = fresh.sort(byStart);
    changed.filter((c) => now.has(c.id)).forEach((c) => { c.lane = lane(c); });
    rerender(changed);
  }
  function codingsUrl() {
    const query = new URLSearchParams();
    if (filter.coder) query.set("coder", filter.coder);
    if (filter.code) query.set("code", filter.code);
    return `${base}/documents/${documentId}/codings?${query}`;
  }
  async function refresh() { merge((await api("GET", codingsUrl())).codings); }
  document.addEventListener("workbench:coded", () => refresh().catch((e) => say(e.message)));

  // ---- live updates: colleagues' codings appear within 2 s; unchanged lists cost a 304 -------------
  // (In blind mode the server lists only the coder's own codings, so nothing of others arrives.)
  let etag = null, polling = false;
  async function poll() {
    if (polling || document.visibilityState !== "visible") return;
    polling = true;
    try {
      const response = await fetch(codingsUrl(), { headers: { Accept: "application/json", ...(etag ? { "If-None-Match": etag } : {}) }, credentials: "same-origin" });
      if (response.status !== 200) return; // 304: nothing new; an error: try again at the next tick
      etag = response.headers.get("ETag");
      merge((await response.json()).codings);
    } finally { polling = false; }
  }
  setInterval(() => poll().catch(() => {}), 2000);

  // ---- selection events for the suggestion panel -------------------------------------------------
  // Announced once the selection settles (not on every mouse move of a drag): listeners such as the
  // suggestion panel ask the server on each announcement.
  let lastSpan = null, settle = null, mouseDown = false;
  function announce() {
    const span = selectionSpan();
    if (picker.hidden === false && !span) return; // focus moved into the picker: keep the pending span
    if ((span && lastSpan && span.start === lastSpan.start && span.end === lastSpan.end) || span === lastSpan) return;
    lastSpan = span;
    document.dispatchEvent(new CustomEvent("workbench:selection", {
      detail: { documentId, projectId, start: span ? span.start : null, end: span ? span.end : null },
    }));
  }
  document.addEventListener("mousedown", () => { mouseDown = true; });
  document.addEventListener("mouseup", () => { mouseDown = false; clearTimeout(settle); settle = setTimeout(announce, 150); });
  document.addEventListener("selectionchange", () => {
    clearTimeout(settle);
    if (!mouseDown) settle = setTimeout(announce, 250);
  });

  // ---- number keys: the coder's pins (kept on the server), else the codebook's first nine ---------
  const keys = numberKeys(data, codes, base, say);
  const keyOf = keys.keyOf;

  // ---- the code picker --------------------------------------------------------------------------
  const picker = document.getElementById("picker");
  const input = document.getElementById("picker-filter");
  const list = document.getElementById("picker-list");
  const createBox = document.getElementById("picker-create"), parentChoice = document.getElementById("picker-parent");
  let pending = null, items = [], highlighted = 0, ticked = new Set(), returnFocus = null;
  const NEW = { id: "new" }; // the "Create ‘…’" row, offered to owners when no code matches
  const leaf = (c) => c.path.split("/").at(-1).toLowerCase();
  function quickList(q) { // codebook order, never recency: a code's number key never moves
    q = q.trim().toLowerCase();
    if (!q) return data.codes;
    const hits = data.codes.filter((c) => c.path.toLowerCase().includes(q));
    hits.sort((a, b) => (leaf(b).startsWith(q) - leaf(a).startsWith(q)));
    return isOwner && !hits.length ? [NEW] : hits;
  }
  function option(c, k) {
    const state = `id="pick-${c.id}" class="${k === highlighted ? "highlighted" : ""}"`;
    if (c === NEW) return `<li role="option" ${state} data-create="yes" aria-selected="false"><span class="tick" aria-hidden="true">+</span>Create ‘${escapeHtml(input.value.trim())}’</li>`;
    return `<li role="option" ${state} data-code="${c.id}" aria-selected="${ticked.has(c.id)}">` +
      `<span class="tick" aria-hidden="true">${ticked.has(c.id) ? "☑" : "☐"}</span><kbd title="Number key">${keyOf(c.id) || ""}</kbd>` +
      `<span class="swatch" style="background: ${c.colour}"></span>${escapeHtml(c.path)}</li>`;
  }
  function renderPicker() {
    items = quickList(input.value).slice(0, 60);
    highlighted = Math.min(highlighted, Math.max(items.length - 1, 0));
    list.innerHTML = items.map(option).join("") ||
      '<li class="muted" role="presentation">No code matches: check the spelling, or ask a project owner to add it to the codebook.</li>';
    if (createBox) createBox.hidden = !items.includes(NEW);
    input.setAttribute("aria-activedescendant", items.length ? `pick-${items[highlighted].id}` : "");
    list.querySelector(".highlighted")?.scrollIntoView({ block: "nearest" });
  }
  function openPicker(span) {
    if (!canCode) return say("You are a viewer in this project: you can read codings but not add them.");
    clearTimeout(settle); announce(); // the selection is still in the text: announce it before focus moves
    pending = span; ticked = new Set(); highlighted = 0; input.value = "";
    returnFocus = document.activeElement;
    const range = rangeFor(span.start, span.end);
    document.getElementById("picker-quote").textContent = range.toString(); // whole, in a scrolling box
    renderPicker();
    // Focus moves to the picker, which greys the selection out: mark the pending words another way.
    if (window.CSS && CSS.highlights) CSS.highlights.set("pending-selection", new Highlight(range));
    picker.hidden = false;
    place(range);
    input.focus({ preventScroll: true });
  }
  function place(range) { // beside the selection, never over it; scroll first if it cannot fit
    const size = { width: picker.offsetWidth, height: picker.offsetHeight }, viewport = { width: innerWidth, height: innerHeight };
    let rect = range.getBoundingClientRect(), at = placeBeside(rect, size, viewport);
    if (!at) {
      // Scroll so the selection's top sits near the top of the screen, then below (or beside) it fits.
      scrollBy(0, rect.top - 8);
      rect = range.getBoundingClientRect(); at = placeBeside(rect, size, viewport);
    }
    at ||= { top: Math.max(8, innerHeight - size.height - 8), left: Math.max(8, innerWidth - size.width - 8) }; // taller than the screen
    picker.style.top = `${scrollY + at.top}px`;
    picker.style.left = `${scrollX + at.left}px`;
  }
  function closePicker() {
    picker.hidden = true; pending = null;
    if (window.CSS && CSS.highlights) CSS.highlights.delete("pending-selection");
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  }
  function toggle(id) { ticked.has(id) ? ticked.delete(id) : ticked.add(id); renderPicker(); }

  // ---- applying: one success point for "a code was applied", announced and timed --------------------
  function applied(result, message) {
    performance.mark("coding:answered");
    const fresh = result.codings.filter((c) => shown(c) && !codings.some((o) => o.id === c.id));
    merge([...codings, ...fresh]);
    say(message);
    document.dispatchEvent(new CustomEvent("workbench:changed", { detail: { message } }));
    if (!picker.hidden) closePicker();
    getSelection().removeAllRanges();
    requestAnimationFrame(() => setTimeout(() => { // after the frame with the highlight is painted
      performance.mark("coding:rendered");
      performance.measure("select→highlighted", "coding:chosen", "coding:rendered");
    }));
  }
  const turnLabel = (span) => `turn ${firstTurn(span) + 1}`;
  const named = (id) => `‘${codes.get(id).path}’${keyOf(id) ? ` (key ${keyOf(id)})` : ""}`;
  async function apply(span, ids) {
    if (!ids.length) return say("Tick at least one code, or press Enter on a highlighted code.");
    performance.mark("coding:chosen");
    try {
      const result = await api("POST", `${base}/documents/${documentId}/codings`, { start: span.start, end: span.end, code_ids: ids });
      applied(result, `Coded ${ids.map(named).join(", ")} on ${turnLabel(span)}.`);
    } catch (error) { say(error.message); }
  }
  // A new code while coding: the name typed in the picker under the chosen parent, or (in vivo, with
  // no name) the selected words themselves. The server makes and applies it in one transaction.
  async function applyNew(span, name) {
    if (!isOwner) return say("Only a project owner can add codes to the codebook.");
    performance.mark("coding:chosen");
    // The parent chosen beside "Create ‘…’"; in vivo from the number-key row or the `v` key: top level.
    const parent = createBox && !createBox.hidden && parentChoice.value ? Number(parentChoice.value) : null;
    try {
      const result = await api("POST", `${base}/documents/${documentId}/codings/new-code`,
        name === null ? { start: span.start, end: span.end, in_vivo: true, parent_id: parent } : { start: span.start, end: span.end, name, parent_id: parent });
      if (!codes.has(result.code.id)) addCode(result.code, parent); // new (or made by a colleague since the page loaded)
      applied(result, `${result.created ? "Created and coded" : "Coded (the code already existed)"} ${named(result.code.id)} on ${turnLabel(span)}.`);
    } catch (error) { say(error.message); }
  }
  function addCode(code, parentId) { // in codebook order: after the parent's last descendant, or last
    const parent = codes.get(parentId);
    if (parentChoice) parentChoice.value = "";
    let at = data.codes.length;
    if (parent) {
      at = data.codes.indexOf(parent) + 1;
      while (at < data.codes.length && data.codes[at].path.startsWith(parent.path + "/")) at++;
    }
    data.codes.splice(at, 0, code);
    codes.set(code.id, code);
    parentChoice?.add(new Option(code.path, code.id), parentChoice.options[at + 1] || null);
    const side = document.querySelector(".side-codebook .code-list"), depth = code.path.split("/").length - 1;
    const row = document.createElement("li");
    row.style.paddingLeft = `${depth * 1.1}em`;
    row.innerHTML = `<kbd class="shortcut" data-shortcut-of="${code.id}"></kbd><span class="swatch" style="background: ${code.colour}"></span>${escapeHtml(code.path.split("/").at(-1))} <span class="count" data-count="${code.id}">0</span>` +
      `<button type="button" class="pin" data-pin="${code.id}" aria-pressed="false">pin<span class="visually-hidden"> Pin ${escapeHtml(code.path)} to a number key</span></button>`;
    side?.insertBefore(row, side.children[at] || null);
    keys.renumber();
  }
  input.addEventListener("input", () => { highlighted = 0; renderPicker(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      highlighted = (highlighted + (event.key === "ArrowDown" ? 1 : -1) + items.length) % Math.max(items.length, 1);
      renderPicker(); event.preventDefault();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (items[highlighted] === NEW && !ticked.size) return applyNew(pending, input.value.trim());
      const ids = new Set(ticked);
      if (items[highlighted] && items[highlighted] !== NEW && (!ticked.size || input.value)) ids.add(items[highlighted].id);
      apply(pending, [...ids]);
    } else if (event.key === "Escape") { event.preventDefault(); closePicker(); }
    else if (event.altKey && event.code === "KeyV") { event.preventDefault(); applyNew(pending, null); }
    else if (!input.value && /^[1-9]$/.test(event.key)) {
      event.preventDefault();
      const id = keys.codeFor(Number(event.key));
      if (id) toggle(id);
    } else if (!input.value && event.key === " " && items[highlighted]) { event.preventDefault(); toggle(items[highlighted].id); }
  });
  list.addEventListener("click", (event) => {
    if (event.target.closest("li[data-create]")) return applyNew(pending, input.value.trim());
    const li = event.target.closest("li[data-code]"); if (li) toggle(Number(li.dataset.code));
  });
  document.getElementById("picker-apply").addEventListener("click", () => apply(pending, [...ticked]));
  document.getElementById("picker-in-vivo")?.addEventListener("click", () => applyNew(pending, null));
  document.getElementById("picker-close").addEventListener("click", closePicker);
  picker.addEventListener("keydown", (event) => { if (event.key === "Escape") closePicker(); });

  // ---- coding details, memos, removal --------------------------------------------------------------
  function provenanceHtml(p) { // where a coding from the model came from: model, settings, score, evidence
    if (!p) return "";
    const ev = p.evidence || {};
    const items = [`Model <code>${escapeHtml(p.model)}</code> (weights sha256 <code>${escapeHtml(p.model_sha256)}</code>)`,
      `Ranking settings sha256 <code>${escapeHtml(p.settings_sha256)}</code>`, `Score ${Number(p.score).toFixed(3)}`];
    if (ev.definition) items.push(`Definition match: ${escapeHtml(ev.definition.match)} (similarity ${Number(ev.definition.similarity).toFixed(2)})`);
    for (const n of ev.neighbours || []) items.push(`Coded passage <q>${escapeHtml(n.text)}</q> — ${escapeHtml(n.document)} (similarity ${Number(n.similarity).toFixed(2)})`);
    if (ev.classifier_probability !== null && ev.classifier_probability !== undefined) items.push(`Classifier: ${(100 * ev.classifier_probability).toFixed(0)}%`);
    if (ev.threshold !== undefined) items.push(`Threshold ${escapeHtml(String(ev.threshold))}`);
    items.push(`Suggested ${new Date(p.suggested_at).toLocaleString()}`);
    return `<details class="provenance"><summary>From the model (${escapeHtml(p.source)})</summary><ul>${items.map((i) => `<li>${i}</li>`).join("")}</ul></details>`;
  }
  async function showDetails(ids) {
    if (!ids.length) return;
    const parts = await Promise.all(ids.map((id) => api("GET", `${base}/codings/${id}`)));
    details.innerHTML = `<h2>Coding details</h2>` + parts.map((d) => `<article class="coding-detail" data-coding="${d.id}">
      <h3><span class="swatch" style="background: ${d.colour}"></span>${escapeHtml(d.code)}</h3>
      <p>Coded by <strong>${escapeHtml(d.coder)}</strong> · origin: ${escapeHtml(d.origin)} · ${new Date(d.created_at).toLocaleString()}</p>
      <blockquote>${escapeHtml(d.text.length > 400 ? d.text.slice(0, 400) + "…" : d.text)}</blockquote>
      ${provenanceHtml(d.provenance)}
      <div class="memo-list" data-subject="coding_id" data-id="${d.id}"></div>
      ${canCode && (d.coder === user || isOwner) ? `<button type="button" class="remove-coding" data-coding="${d.id}">Remove this coding<span class="visually-hidden"> (${escapeHtml(d.code)})</span></button>` : ""}
    </article>`).join("");
    details.querySelectorAll(".memo-list").forEach((el) => memoWidget(el, base, canCode, user, parts.find((p) => p.id === Number(el.dataset.id)).memos));
  }
  details.addEventListener("click", async (event) => {
    const button = event.target.closest(".remove-coding");
    if (!button) return;
    const id = Number(button.dataset.coding);
    try {
      const result = await api("DELETE", `${base}/codings/${id}`);
      button.closest("article").innerHTML = `<p>${escapeHtml(result.message)}</p>`;
      removed(id, result);
    } catch (error) { say(error.message); }
  });
  function removed(id, result = {}) { // the one success point for "a coding was removed"
    const gone = codings.find((c) => c.id === id);
    merge(codings.filter((c) => c.id !== id));
    const kept = result.memos_kept ? "; its memo stays on the document." : ".";
    const message = (gone ? `Removed ‘${path(gone)}’ from ${turnLabel(gone)}` : "Coding removed") + kept;
    say(message);
    document.dispatchEvent(new CustomEvent("workbench:changed", { detail: { message } }));
    if (result.memos_kept) loadDocumentMemos();
  }
  transcript.addEventListener("click", (event) => {
    const tag = event.target.closest(".tag");
    if (tag) return showDetails(tag.dataset.codings.split(" ").map(Number)).catch((e) => say(e.message));
    const selection = getSelection();
    if (!event.target.closest("mark") || !selection.isCollapsed || !selection.rangeCount) return;
    const at = boundaryOffset(selection.anchorNode, selection.anchorOffset, true);
    showDetails(codings.filter((c) => c.start <= at && c.end > at).map((c) => c.id)).catch((e) => say(e.message));
  });

  // ---- next / previous coded passage -----------------------------------------------------------------
  let current = -1;
  function go(step) {
    const ordered = [...codings].sort(byStart);
    if (!ordered.length) return say("No coded passages are shown.");
    current = (current + step + ordered.length) % ordered.length;
    if (current < 0) current = step > 0 ? 0 : ordered.length - 1;
    const c = ordered[current], range = rangeFor(c.start, c.end);
    if (window.CSS && CSS.highlights) CSS.highlights.set("current-passage", new Highlight(range));
    saids[firstTurn(c)]?.focus({ preventScroll: true });
    range.startContainer.parentElement.scrollIntoView({ block: "center" });
    say(`Passage ${current + 1} of ${ordered.length}: ${path(c)} (${c.coder}).`);
    showDetails([c.id]).catch((e) => say(e.message));
  }
  document.getElementById("next-passage").addEventListener("click", () => go(1));
  document.getElementById("previous-passage").addEventListener("click", () => go(-1));
  function say(message) { status.textContent = message; }

  // ---- keyboard -------------------------------------------------------------------------------------
  function focusTurn(i) { // j / k and the skip link: into the transcript, one turn at a time
    const said = saids[Math.max(0, Math.min(i, saids.length - 1))];
    said?.focus({ preventScroll: true });
    said?.scrollIntoView({ block: "nearest" });
  }
  document.getElementById("skip-to-transcript")?.addEventListener("click", (event) => { event.preventDefault(); focusTurn(0); });
  document.addEventListener("keydown", (event) => {
    if (!picker.hidden || event.metaKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, dialog")) return;
    const said = target.closest && target.closest(".said");
    if (event.shiftKey && (event.key === "ArrowRight" || event.key === "ArrowLeft") && (said || selectionSpan())) {
      event.preventDefault(); return extendSelection(event, said);
    }
    if (event.ctrlKey || event.altKey) return;
    const span = selectionSpan();
    if (said && event.key === "Enter" && !span) { // keyboard selection: the whole turn, then Shift+arrows
      event.preventDefault();
      const i = saids.indexOf(said);
      select(bounds[i][0], bounds[i][1]);
    } else if (span && (event.key === "c" || (event.key === "Enter" && !target.closest("button, a")))) {
      event.preventDefault(); openPicker(span);
    } else if (span && event.key === "v" && canCode) {
      event.preventDefault(); applyNew(span, null);
    } else if (span && /^[1-9]$/.test(event.key) && canCode) {
      const id = keys.codeFor(Number(event.key));
      event.preventDefault();
      if (id) apply(span, [id]); else say(`No code has key ${event.key}: pin one in the codebook panel.`);
    } else if (event.key === "j" || event.key === "k") {
      event.preventDefault(); focusTurn((said ? saids.indexOf(said) : -1) + (event.key === "j" ? 1 : -1));
    } else if (event.key === "n" || event.key === "p") { event.preventDefault(); go(event.key === "n" ? 1 : -1); }
  });
  transcript.addEventListener("mouseup", (event) => { // a mouse selection snaps to words (not with Alt), opens the picker
    const exact = event.altKey;
    setTimeout(() => {
      let span = selectionSpan();
      if (!span || !canCode || !picker.hidden) return;
      if (!exact) { span = snapped(span); select(span.start, span.end); }
      openPicker(span);
    }, 0);
  });

  // Filters reload the page (the server renders the filtered view); empty ones stay out of the address.
  document.querySelectorAll("#coding-filter select").forEach((s) => s.addEventListener("change", () => {
    const query = new URLSearchParams([...new FormData(s.form)].filter(([, value]) => value)).toString();
    location.assign(location.pathname + (query ? `?${query}` : ""));
  }));
  function loadDocumentMemos() {
    document.querySelectorAll("#document-memos .memo-list").forEach((old) => {
      const el = old.cloneNode(false); // a fresh element: the widget's listeners are added once
      old.replaceWith(el);
      api("GET", `${base}/memos?document_id=${documentId}`).then((r) => memoWidget(el, base, canCode, user, r.memos)).catch((e) => say(e.message));
    });
  }
  loadDocumentMemos();
  // ---- undo.js announces changes (announceChange); after an undo or redo, fetch what changed -----------
  document.addEventListener("workbench:reload", () => {
    // A codebook step brought back a code this page does not know: its list of codes needs the server.
    refresh().then(() => { if (codings.some((c) => !codes.has(c.code_id))) location.reload(); }).catch((e) => say(e.message));
    loadDocumentMemos();
    details.querySelectorAll(".coding-detail").forEach((article) => {
      if (!codings.some((c) => c.id === Number(article.dataset.coding))) article.remove();
    });
  });
  markLinked();
}
