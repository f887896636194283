// coding_parts.js: what the coding screen and the codebook page share: the JSON API call and memo lists.

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// Every change goes through here so the CSRF header and the {"error": ...} answers are handled once.
export async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `The server answered ${response.status}; nothing was changed.`);
  return data;
}

// Reload the page and let undo.js announce `message` afterwards (with its Undo button if `undoable`).
export function reloadWith(message, undoable = true) {
  sessionStorage.setItem("workbench.announce", JSON.stringify({ message, undo: undoable }));
  location.reload();
}

// Tells undo.js what was just done (it announces it, with an Undo button).
export const changed = (message) => document.dispatchEvent(new CustomEvent("workbench:changed", { detail: { message } }));

let counter = 0;

// A list of memos on one subject (document, code or coding) with a form to add one.
export function memoWidget(element, base, canWrite, user, memos) {
  const subject = element.dataset.subject, id = Number(element.dataset.id), formId = `memo-${subject}-${id}-${++counter}`;
  const render = () => {
    element.innerHTML = (memos.length ? "" : '<p class="muted">No memos yet.</p>') + memos.map((m) => `<div class="memo" data-memo="${m.id}">
      ${m.quote ? `<blockquote class="memo-quote" title="The coding this memo was on was removed">${escapeHtml(m.quote.length > 200 ? m.quote.slice(0, 197) + "…" : m.quote)}</blockquote>` : ""}<p>${escapeHtml(m.text)}</p><p class="muted">${escapeHtml(m.author)}${m.author === user ? ` · <button type="button" class="link delete-memo" data-memo="${m.id}">Delete memo</button>` : ""}</p></div>`).join("") +
      (canWrite ? `<form class="memo-form"><label for="${formId}">Add a memo</label><textarea id="${formId}" rows="2" required></textarea>
        <button type="submit">Save memo</button><span class="memo-status" role="status"></span></form>` : "");
  };
  render();
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const textarea = element.querySelector("textarea");
    try {
      memos.push(await api("POST", `${base}/memos`, { [subject]: id, text: textarea.value }));
      render();
      element.querySelector(".memo-status").textContent = "Memo saved.";
      changed("Memo saved");
    } catch (error) { element.querySelector(".memo-status").textContent = error.message; }
  });
  element.addEventListener("click", async (event) => {
    const button = event.target.closest(".delete-memo");
    if (!button) return;
    const memoId = Number(button.dataset.memo);
    try {
      await api("DELETE", `${base}/memos/${memoId}`);
      memos = memos.filter((m) => m.id !== memoId);
      render();
      changed("Memo deleted");
    } catch (error) { element.querySelector(".memo-status").textContent = error.message; }
  });
}
