// The suggestion panel: suggestions for the selected span (event "workbench:selection") or for
// every turn of the document, each with its reasons and Accept / Reject buttons. After an accept it
// announces the new coding with the event "workbench:coded" so the coding screen can redraw.
const panel = document.getElementById("suggestions");

if (panel) {
  const status = panel.querySelector(".suggestions-status");
  const results = panel.querySelector(".suggestion-results");
  const documentButton = panel.querySelector(".suggest-document");
  const ids = { projectId: panel.dataset.projectId, documentId: panel.dataset.documentId };
  let latest = 0; // answers to an older selection are dropped

  const base = () => `/api/projects/${ids.projectId}/documents/${ids.documentId}/suggestions`;
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

  async function call(url, options = {}) {
    const response = await fetch(url, {
      credentials: "same-origin",
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
      el("div", {}, swatch, el("span", { className: "path" }, s.path), ` · score ${s.score.toFixed(2)}`),
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

  document.addEventListener("workbench:selection", async (event) => {
    const { projectId, documentId, start, end } = event.detail ?? {};
    const ticket = ++latest;
    if (projectId) ids.projectId = projectId;
    if (documentId) ids.documentId = documentId;
    results.replaceChildren();
    if (start === null || start === undefined || end === null || end === undefined || end <= start) {
      status.textContent = "Select a passage to see suggested codes.";
      return;
    }
    status.textContent = "Finding suggestions…";
    try {
      const data = await call(`${base()}?start=${start}&end=${end}`);
      if (ticket !== latest) return;
      results.replaceChildren(list(data.suggestions, { start: data.start, end: data.end }));
      status.textContent = `${data.suggestions.length} suggestion(s) for the selected passage.`;
    } catch (error) {
      if (ticket === latest) status.textContent = error.message;
    }
  });

  documentButton.addEventListener("click", async () => {
    const ticket = ++latest;
    documentButton.disabled = true;
    status.textContent = "Suggesting codes for every turn…";
    try {
      const data = await call(`${base()}/document`, { method: "POST", body: "{}" });
      if (ticket !== latest) return;
      results.replaceChildren(...data.utterances.map((u) => el("div", { className: "turn-suggestions" },
        el("h3", {}, `Turn ${u.utterance + 1}${u.speaker ? ` (${u.speaker})` : ""}`),
        list(u.suggestions, { start: u.start, end: u.end }))));
      status.textContent = data.utterances.length
        ? `Suggestions for ${data.utterances.length} turn(s).`
        : "No turn has a suggestion above the threshold.";
    } catch (error) {
      if (ticket === latest) status.textContent = error.message;
    } finally {
      documentButton.disabled = false;
    }
  });
}
