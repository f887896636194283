// codebook_changes.js: the codebook page's Merge into…, Split… and Delete… dialogs. Each names the
// codes and counts what moves before anything happens; every change can be undone afterwards.
import { api, escapeHtml, reloadWith } from "./coding_parts.js";

const editor = document.getElementById("codebook-editor");
if (editor && editor.dataset.canEdit === "yes") init(editor);

function init(editor) {
  const base = `/api/projects/${editor.dataset.project}/codes`;
  const codes = new Map(JSON.parse(document.getElementById("codebook-data").textContent).map((c) => [c.id, c]));
  const under = (code, root) => { for (let c = code; c; c = codes.get(c.parent_id)) if (c.id === root.id) return true; return false; };
  const codingsOf = (code) => api("GET", `${base}/${code.id}/codings`).then((r) => r.codings);
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const subcodes = (code) => [...codes.values()].filter((c) => c.parent_id === code.id).length;
  let chosen = null; // the code whose button was pressed
  editor.addEventListener("click", (event) => {
    const button = event.target.closest(".merge, .split, .delete");
    if (!button) return;
    chosen = codes.get(Number(button.closest("tr").dataset.code));
    ({ merge: openMerge, split: openSplit, delete: openDelete })[button.classList[0]]().catch((e) => { document.getElementById("codebook-status").textContent = e.message; });
  });
  function options(select, except) { // codes outside `except` and its subcodes
    [...select.options].forEach((o) => { o.hidden = o.value !== "" && under(codes.get(Number(o.value)), except); });
    select.value = "";
  }
  function submitting(form, error, act) {
    form.addEventListener("submit", async (event) => {
      if (event.submitter && event.submitter.value === "cancel") return;
      event.preventDefault();
      try { reloadWith(await act()); } catch (e) { error.textContent = e.message; }
    });
  }

  // ---- Merge into…: choose the target, read what moves, confirm ----------------------------------
  const merge = document.getElementById("merge-dialog"), target = document.getElementById("merge-target");
  const mergeSummary = document.getElementById("merge-summary"), mergeConfirm = document.getElementById("merge-confirm");
  async function openMerge() {
    options(target, chosen);
    mergeSummary.textContent = `Choose the code that “${chosen.name}” is merged into.`;
    mergeConfirm.disabled = true;
    document.getElementById("merge-error").textContent = "";
    merge.showModal();
  }
  target.addEventListener("change", () => {
    const into = codes.get(Number(target.value));
    mergeConfirm.disabled = !into;
    if (!into) return;
    const children = subcodes(chosen);
    mergeSummary.textContent = `Merge “${chosen.path}” into “${into.path}”? ${plural(chosen.codings, "coding")} move from “${chosen.name}” to “${into.name}” (which has ${plural(into.codings, "coding")} of its own)` +
      `${children ? `, its ${plural(children, "subcode")} move under “${into.name}”` : ""}, and “${chosen.name}” is deleted. You can undo this.`;
    mergeConfirm.textContent = `Merge “${chosen.name}” into “${into.name}”`;
  });
  submitting(document.getElementById("merge-form"), document.getElementById("merge-error"), async () => {
    const into = codes.get(Number(target.value));
    await api("POST", `${base}/${chosen.id}/merge`, { target_id: into.id });
    return `Merged “${chosen.name}” into “${into.name}”.`;
  });

  // ---- Delete…: how many codings in which documents; move them or delete them; confirm ------------
  const del = document.getElementById("delete-dialog"), moveTo = document.getElementById("delete-move-to");
  const delForm = document.getElementById("delete-form"), choice = document.getElementById("delete-choice");
  async function openDelete() {
    const found = await codingsOf(chosen);
    const byDocument = new Map();
    found.forEach((c) => byDocument.set(c.document, (byDocument.get(c.document) || 0) + 1));
    document.getElementById("delete-summary").textContent = found.length
      ? `“${chosen.path}”${subcodes(chosen) ? " and its subcodes have" : " has"} ${plural(found.length, "coding")} in ${plural(byDocument.size, "document")}:`
      : `“${chosen.path}” has no codings.`;
    document.getElementById("delete-documents").innerHTML = [...byDocument].map(([name, n]) => `<li>${escapeHtml(name)}: ${n}</li>`).join("");
    choice.hidden = !found.length;
    options(moveTo, chosen);
    delForm.elements.fate.value = "move";
    document.getElementById("delete-error").textContent = "";
    del.dataset.count = found.length;
    describeDelete();
    del.showModal();
  }
  function describeDelete() {
    const n = Number(del.dataset.count), into = codes.get(Number(moveTo.value)), fate = delForm.elements.fate.value;
    const what = !n ? "" : fate === "move" ? (into ? ` Its ${plural(n, "coding")} move to “${into.path}”.` : " Choose the code that receives its codings.") : ` Its ${plural(n, "coding")} are deleted too.`;
    document.getElementById("delete-confirmation").textContent = `Delete “${chosen.path}”${subcodes(chosen) ? " and its subcodes" : ""}?${what} You can undo this.`;
    document.getElementById("delete-confirm").disabled = Boolean(n && fate === "move" && !into);
    document.getElementById("delete-confirm").textContent = `Delete “${chosen.name}”`;
  }
  delForm.addEventListener("change", describeDelete);
  submitting(delForm, document.getElementById("delete-error"), async () => {
    const n = Number(del.dataset.count), moving = n && delForm.elements.fate.value === "move";
    const result = await api("DELETE", `${base}/${chosen.id}`, moving ? { move_to: Number(moveTo.value) } : { delete_codings: true });
    return result.message;
  });

  // ---- Split…: tick passages of this code; a new subcode receives them -----------------------------
  const split = document.getElementById("split-dialog"), list = document.getElementById("split-passages");
  async function openSplit() {
    const own = (await codingsOf(chosen)).filter((c) => c.code === chosen.path);
    list.innerHTML = own.map((c) => `<li><label><input type="checkbox" value="${c.id}"> <strong>${escapeHtml(c.document)}</strong>` +
      `${c.participant ? ` (${escapeHtml(c.participant)})` : ""}, ${escapeHtml(c.coder)}: “${escapeHtml(c.text.length > 160 ? c.text.slice(0, 157) + "…" : c.text)}”</label></li>`).join("") ||
      `<li class="muted">“${escapeHtml(chosen.name)}” has no passages of its own to split off.</li>`;
    document.getElementById("split-title").textContent = `Split “${chosen.path}”`;
    document.getElementById("split-name").value = "";
    document.getElementById("split-error").textContent = "";
    split.showModal();
  }
  submitting(document.getElementById("split-form"), document.getElementById("split-error"), async () => {
    const ids = [...list.querySelectorAll("input:checked")].map((i) => Number(i.value)), name = document.getElementById("split-name").value;
    await api("POST", `${base}/${chosen.id}/split`, { coding_ids: ids, name });
    return `Split ${plural(ids.length, "passage")} of “${chosen.name}” into “${name}”.`;
  });
}
