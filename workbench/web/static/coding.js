// coding.js: the coding screen. Selections become UTF-16 offsets into the document text; the server
// converts them to code points once. Every .said paragraph carries data-start/data-end (UTF-16) and
// its text nodes concatenate to exactly that slice of the document, so Range.toString().length is
// the offset within the turn.
import { api, memoWidget, escapeHtml, changed as announceChange } from "./coding_parts.js";

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
  const recentKey = `workbench.recent.${projectId}`;
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
  window.workbenchCoding = { selectionSpan, rangeFor }; // for tests and the suggestion panel

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
    turn.querySelector(".margin").innerHTML = touching.filter((c) => firstTurn(c) === i).map((c) =>
      `<li><button type="button" class="tag" data-coding="${c.id}"><span class="swatch" style="background: ${colour(c)}"></span>${escapeHtml(path(c))} <span class="muted">${escapeHtml(c.coder)}</span></button></li>`).join("");
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

  // ---- the code picker --------------------------------------------------------------------------
  const picker = document.getElementById("picker");
  const input = document.getElementById("picker-filter");
  const list = document.getElementById("picker-list");
  let pending = null, items = [], highlighted = 0, ticked = new Set(), returnFocus = null;
  const recent = () => JSON.parse(localStorage.getItem(recentKey) || "[]").filter((id) => codes.has(id));
  function remember(ids) { localStorage.setItem(recentKey, JSON.stringify([...new Set([...ids, ...recent()])].slice(0, 9))); }
  function quickList(q) {
    q = q.trim().toLowerCase();
    if (!q) { const r = recent(); return [...r.map((id) => codes.get(id)), ...data.codes.filter((c) => !r.includes(c.id))]; }
    const hits = data.codes.filter((c) => c.path.toLowerCase().includes(q));
    const leaf = (c) => c.path.split("/").at(-1).toLowerCase();
    return hits.sort((a, b) => (leaf(b).startsWith(q) - leaf(a).startsWith(q)));
  }
  function renderPicker() {
    items = quickList(input.value).slice(0, 60);
    highlighted = Math.min(highlighted, Math.max(items.length - 1, 0));
    const recentIds = new Set(recent());
    list.innerHTML = items.map((c, k) => `<li role="option" id="pick-${c.id}" data-code="${c.id}" aria-selected="${ticked.has(c.id)}" class="${k === highlighted ? "highlighted" : ""}">` +
      `<span class="tick" aria-hidden="true">${ticked.has(c.id) ? "☑" : "☐"}</span><kbd>${k < 9 ? k + 1 : ""}</kbd>` +
      `<span class="swatch" style="background: ${c.colour}"></span>${escapeHtml(c.path)}${recentIds.has(c.id) && !input.value ? ' <span class="muted">recent</span>' : ""}</li>`).join("") ||
      '<li class="muted" role="presentation">No code matches: check the spelling or add it in the codebook.</li>';
    input.setAttribute("aria-activedescendant", items.length ? `pick-${items[highlighted].id}` : "");
    list.querySelector(".highlighted")?.scrollIntoView({ block: "nearest" });
  }
  function openPicker(span) {
    if (!canCode) return say("You are a viewer in this project: you can read codings but not add them.");
    clearTimeout(settle); announce(); // the selection is still in the text: announce it before focus moves
    pending = span; ticked = new Set(); highlighted = 0; input.value = "";
    returnFocus = document.activeElement;
    const quote = rangeFor(span.start, span.end).toString();
    document.getElementById("picker-quote").textContent = `“${quote.length > 60 ? quote.slice(0, 57) + "…" : quote}”`;
    renderPicker();
    // Focus moves to the picker, which greys the selection out: mark the pending words another way.
    if (window.CSS && CSS.highlights) CSS.highlights.set("pending-selection", new Highlight(rangeFor(span.start, span.end)));
    picker.hidden = false;
    const rect = rangeFor(span.start, span.end).getBoundingClientRect();
    // Below the selection if it fits, else above it, so the picker never hides the words being coded.
    const height = picker.offsetHeight;
    let top = rect.bottom + 6;
    if (top + height > innerHeight) top = rect.top - height - 6 >= 0 ? rect.top - height - 6 : Math.max(8, innerHeight - height - 8);
    picker.style.top = `${window.scrollY + top}px`;
    picker.style.left = `${Math.max(8, Math.min(rect.left, innerWidth - picker.offsetWidth - 16))}px`;
    input.focus();
  }
  function closePicker() {
    picker.hidden = true; pending = null;
    if (window.CSS && CSS.highlights) CSS.highlights.delete("pending-selection");
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  }
  function toggle(id) { ticked.has(id) ? ticked.delete(id) : ticked.add(id); renderPicker(); }
  async function apply(span, ids) {
    if (!ids.length) return say("Tick at least one code, or press Enter on a highlighted code.");
    try {
      const result = await api("POST", `${base}/documents/${documentId}/codings`, { start: span.start, end: span.end, code_ids: ids });
      remember(ids);
      const fresh = result.codings.filter((c) => shown(c) && !codings.some((o) => o.id === c.id));
      merge([...codings, ...fresh]);
      say(`Coded with ${ids.map((id) => codes.get(id).path).join(", ")}.`);
      const turn = Number(saids[firstTurn(span)].closest(".turn").id.slice(5)) + 1; // undo.js announces it
      announceChange(`Coded ${ids.map((id) => `‘${codes.get(id).path}’`).join(", ")} on turn ${turn}`);
      if (!picker.hidden) closePicker();
      getSelection().removeAllRanges();
    } catch (error) { say(error.message); }
  }
  input.addEventListener("input", () => { highlighted = 0; renderPicker(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      highlighted = (highlighted + (event.key === "ArrowDown" ? 1 : -1) + items.length) % Math.max(items.length, 1);
      renderPicker(); event.preventDefault();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const ids = new Set(ticked);
      if (items[highlighted] && (!ticked.size || input.value)) ids.add(items[highlighted].id);
      apply(pending, [...ids]);
    } else if (event.key === "Escape") { event.preventDefault(); closePicker(); }
    else if (!input.value && /^[1-9]$/.test(event.key)) {
      event.preventDefault();
      const item = items[Number(event.key) - 1];
      if (item) toggle(item.id);
    } else if (!input.value && event.key === " " && items[highlighted]) { event.preventDefault(); toggle(items[highlighted].id); }
  });
  list.addEventListener("click", (event) => { const li = event.target.closest("li[data-code]"); if (li) toggle(Number(li.dataset.code)); });
  document.getElementById("picker-apply").addEventListener("click", () => apply(pending, [...ticked]));
  document.getElementById("picker-close").addEventListener("click", closePicker);
  picker.addEventListener("keydown", (event) => { if (event.key === "Escape") closePicker(); });

  // ---- coding details, memos, removal --------------------------------------------------------------
  async function showDetails(ids) {
    if (!ids.length) return;
    const parts = await Promise.all(ids.map((id) => api("GET", `${base}/codings/${id}`)));
    details.innerHTML = `<h2>Coding details</h2>` + parts.map((d) => `<article class="coding-detail" data-coding="${d.id}">
      <h3><span class="swatch" style="background: ${d.colour}"></span>${escapeHtml(d.code)}</h3>
      <p>Coded by <strong>${escapeHtml(d.coder)}</strong> · origin: ${escapeHtml(d.origin)} · ${new Date(d.created_at).toLocaleString()}</p>
      <blockquote>${escapeHtml(d.text.length > 400 ? d.text.slice(0, 400) + "…" : d.text)}</blockquote>
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
      merge(codings.filter((c) => c.id !== id));
      button.closest("article").innerHTML = `<p>${escapeHtml(result.message)}</p>`;
      say(result.message);
      announceChange(result.message);
      if (result.memos_kept) loadDocumentMemos();
    } catch (error) { say(error.message); }
  });
  transcript.addEventListener("click", (event) => {
    const tag = event.target.closest(".tag");
    if (tag) return showDetails([Number(tag.dataset.coding)]).catch((e) => say(e.message));
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
  document.addEventListener("keydown", (event) => {
    if (!picker.hidden || event.ctrlKey && !event.shiftKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, dialog")) return;
    const span = selectionSpan();
    const said = target.closest && target.closest(".said");
    if (said && event.key === "Enter" && !span) { // keyboard selection: the whole turn, then Shift+arrows
      event.preventDefault();
      const range = document.createRange(); range.selectNodeContents(said);
      getSelection().removeAllRanges(); getSelection().addRange(range);
    } else if (span && event.shiftKey && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      event.preventDefault();
      getSelection().modify("extend", event.key === "ArrowRight" ? "forward" : "backward", event.ctrlKey ? "word" : "character");
    } else if (span && (event.key === "c" || (event.key === "Enter" && !target.closest("button, a")))) {
      event.preventDefault(); openPicker(span);
    } else if (span && /^[1-9]$/.test(event.key) && canCode) {
      const item = quickList("")[Number(event.key) - 1];
      if (item) { event.preventDefault(); apply(span, [item.id]); }
    } else if (event.key === "n" || event.key === "p") { event.preventDefault(); go(event.key === "n" ? 1 : -1); }
  });
  transcript.addEventListener("mouseup", () => { // a mouse selection opens the picker straight away
    setTimeout(() => { const span = selectionSpan(); if (span && canCode && picker.hidden) openPicker(span); }, 0);
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
}
