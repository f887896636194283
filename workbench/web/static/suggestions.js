// The suggestion panel: suggestions for the selected span (event "workbench:selection"), for the turn
// that has focus, or for every coded speaker's turn of the document, each with its score in words, its
// reasons and Accept / Reject buttons. It does not depend on the code picker: its list stays when the
// picker closes or the selection is cleared. After an accept it announces the new coding with the event
// "workbench:coded" so the coding screen can redraw. A newer question cancels the older request.
const panel = document.getElementById("suggestions");

if (panel) {
  const status = panel.querySelector(".suggestions-status");
  const results = panel.querySelector(".suggestion-results");
  const documentButton = panel.querySelector(".suggest-document");
  const ids = { projectId: panel.dataset.projectId, documentId: panel.dataset.documentId };
  const turnButton = panel.querySelector(".suggest-turn");
  const everyTurn = panel.querySelector(".suggest-every-turn");
  let latest = 0; // answers to an older question are dropped
  let pending = null; // and its request is cancelled, so the server is not kept busy for nothing

  const base = () => `/api/projects/${ids.projectId}/documents/${ids.documentId}/suggestions`;
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

  async function call(url, options = {}) {
    const response = await fetch(url, {
      credentials: "same-origin",
      signal: options.signal,
      ...options,
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `The server answered ${response.status}.`);
    return data;
  }

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  function reasons(s) {
    const why = el("ul", { className: "why" });
    const definition = `definition match: ${s.definition.match} (similarity ${s.definition.similarity.toFixed(2)})`;
    why.append(el("li", {}, definition));
    for (const n of s.neighbours) {
      why.append(el("li", {}, el("q", {}, n.text), ` — ${n.document} (similarity ${n.similarity.toFixed(2)})`));
    }
    if (s.classifier_probability !== null) {
      why.append(el("li", {}, `classifier trained on ${s.examples} coded passages: ${(100 * s.classifier_probability).toFixed(0)}%`));
    }
    return why;
  }

  function item(s, span) {
    const li = el("li", { className: "suggestion" });
    const swatch = el("span", { className: "swatch", title: s.colour });
    swatch.style.background = s.colour;
    swatch.setAttribute("aria-hidden", "true");
    const accept = el("button", { type: "button", className: "accept", textContent: "Accept" });
    const reject = el("button", { type: "button", className: "reject", textContent: "Reject" });
    accept.setAttribute("aria-label", `Accept ${s.path}`);
    reject.setAttribute("aria-label", `Reject ${s.path}`);
    const body = { code_id: s.code_id, start: span.start, end: span.end };
    accept.addEventListener("click", () => decide(li, "accept", body, s.path));
    reject.addEventListener("click", () => decide(li, "reject", body, s.path));
    li.append(
      el("div", {}, swatch, el("span", { className: "path" }, s.path), " · ", el("span", { className: "fit" }, s.fit)),
      el("p", { className: "meaning muted" }, s.meaning),
      reasons(s),
      el("div", {}, accept, reject),
    );
    return li;
  }

  async function decide(li, verb, body, path) {
    li.querySelectorAll("button").forEach((b) => (b.disabled = true));
    try {
      const data = await call(`${base()}/${verb}`, { method: "POST", body: JSON.stringify(body) });
      const list = li.parentElement;
      const next = li.nextElementSibling?.querySelector("button") ?? li.previousElementSibling?.querySelector("button");
      li.remove();
      if (list && !list.children.length) list.append(el("li", { className: "muted" }, "No more suggestions here."));
      (next ?? documentButton).focus(); // keep keyboard users in the list
      status.textContent = verb === "accept" ? `Coded as ${path}.` : `${path} will not be suggested here again.`;
      if (verb === "accept") document.dispatchEvent(new CustomEvent("workbench:coded", { detail: { coding: data.coding } }));
    } catch (error) {
      li.querySelectorAll("button").forEach((b) => (b.disabled = false));
      status.textContent = error.message;
    }
  }

  function list(suggestions, span) {
    const ol = el("ol", { className: "suggestion-list" });
    if (!suggestions.length) ol.append(el("li", { className: "muted" }, "No suggestions for this passage."));
    suggestions.forEach((s) => ol.append(item(s, span)));
    return ol;
  }

  // One question at a time: a new one drops the old answer and cancels its request.
  async function ask(url, options, waiting, show) {
    const ticket = ++latest;
    pending?.abort();
    pending = new AbortController();
    status.textContent = waiting;
    try {
      const data = await call(url, { ...options, signal: pending.signal });
      if (ticket === latest) show(data);
    } catch (error) {
      if (ticket === latest && error.name !== "AbortError") status.textContent = error.message;
    }
  }

  const quote = (text) => (text.length > 80 ? `${text.slice(0, 79).replace(/\s+\S*$/, "")}…` : text);

  function forSpan(start, end, label) {
    ask(`${base()}?start=${start}&end=${end}`, {}, "Finding suggestions…", (data) => {
      results.replaceChildren(list(data.suggestions, { start: data.start, end: data.end }));
      status.textContent = `${data.suggestions.length} suggestion(s) for ${label}.`;
    });
  }

  document.addEventListener("workbench:selection", (event) => {
    const { projectId, documentId, start, end } = event.detail ?? {};
    if (projectId) ids.projectId = projectId;
    if (documentId) ids.documentId = documentId;
    // A cleared selection (the picker closed, a click elsewhere) keeps the list: it is still useful.
    if (start === null || start === undefined || end === null || end === undefined || end <= start) return;
    const text = window.getSelection()?.toString() ?? "";
    forSpan(start, end, text ? `“${quote(text.trim())}”` : "the selected passage");
  });

  // The turn that has focus (or was clicked last) can be asked about without selecting anything.
  let turn = null;
  function chooseTurn(said) {
    turn = said;
    const who = said.closest(".turn")?.querySelector(".speaker")?.textContent.trim();
    turnButton.hidden = false;
    turnButton.textContent = `Suggest for this turn${who ? ` (${who})` : ""}`;
  }
  document.addEventListener("focusin", (event) => { const said = event.target.closest?.(".said"); if (said) chooseTurn(said); });
  document.addEventListener("click", (event) => { const said = event.target.closest?.(".said"); if (said) chooseTurn(said); });
  turnButton.addEventListener("click", () => {
    if (turn) forSpan(turn.dataset.start, turn.dataset.end, `the turn “${quote(turn.textContent.trim())}”`);
  });

  function goTo(start) {
    const said = document.querySelector(`.said[data-start="${start}"]`);
    const link = el("a", { href: said ? `#${said.closest(".turn").id}` : "#transcript", className: "go-to-turn", textContent: "Go to this turn" });
    link.addEventListener("click", (event) => {
      if (!said) return;
      event.preventDefault();
      said.scrollIntoView({ block: "center" });
      said.focus();
    });
    return link;
  }

  documentButton.addEventListener("click", async () => {
    documentButton.disabled = true;
    const every = everyTurn.checked ? "?every_turn=1" : "";
    await ask(`${base()}/document${every}`, { method: "POST", body: "{}" }, "Suggesting codes for every turn…", (data) => {
      results.replaceChildren(...data.turns.map((u) => el("div", { className: "turn-suggestions" },
        el("h3", {}, `Turn ${u.utterance + 1}${u.speaker ? ` · ${u.speaker}` : ""}`),
        el("blockquote", { className: "turn-text" }, quote(u.text)), goTo(u.start),
        list(u.suggestions, { start: u.start, end: u.end }))));
      const skipped = data.skipped ? ` ${data.skipped} interviewer turn(s) and lines without a speaker were skipped.` : "";
      status.textContent = (data.turns.length
        ? `Suggestions for ${data.turns.length} of ${data.considered} turn(s).`
        : `No turn of ${data.considered} has a suggestion above the threshold.`) + skipped;
    });
    documentButton.disabled = false;
  });
}
