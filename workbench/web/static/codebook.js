// codebook.js: the codebook page: collapse/expand, inline create and rename, drag to move or merge
// (always confirmed), and an edit dialog for the fields and colour (merge, split and delete are in
// codebook_changes.js). Each change reloads the page so counts and paths come from the server; the
// change is announced after the reload by undo.js, with its Undo button.
import { api, reloadWith as reload } from "./coding_parts.js";

const FIELDS = ["name", "colour", "definition", "inclusion", "exclusion", "example"];
const editor = document.getElementById("codebook-editor");
if (editor) init(editor);

function init(editor) {
  const base = `/api/projects/${editor.dataset.project}/codes`;
  const canEdit = editor.dataset.canEdit === "yes";
  const codes = new Map(JSON.parse(document.getElementById("codebook-data").textContent).map((c) => [c.id, c]));
  const rows = [...editor.querySelectorAll("tr[data-code]")];
  const status = document.getElementById("codebook-status");
  const say = (message) => { status.textContent = message; };
  document.addEventListener("workbench:reload", (event) => reload(event.detail.message, false));
  const run = (promise, message) => promise.then(() => reload(message)).catch((error) => say(error.message));

  // Collapse/expand: hide every row below this one that is deeper, until a row at the same depth.
  editor.addEventListener("click", (event) => {
    const toggle = event.target.closest(".toggle");
    if (!toggle) return;
    const row = toggle.closest("tr"), depth = Number(row.dataset.depth);
    const open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    toggle.textContent = open ? "▸" : "▾";
    toggle.setAttribute("aria-label", `${open ? "Expand" : "Collapse"} ${codes.get(Number(row.dataset.code)).name}`);
    for (let next = row.nextElementSibling; next && Number(next.dataset.depth) > depth; next = next.nextElementSibling) {
      next.classList.toggle("collapsed-child", open);
      const inner = next.querySelector(".toggle");
      if (!open && inner) { inner.setAttribute("aria-expanded", "true"); inner.textContent = "▾"; }
    }
  });
  if (!canEdit) return;

  document.getElementById("new-code").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.target.elements, name = f.namedItem("name").value, parent = f.namedItem("parent_id").value;
    run(api("POST", base, { name, parent_id: parent ? Number(parent) : null }), `Added “${name}”.`);
  });

  // Inline rename: the name becomes a text field; Enter saves, Escape puts the name back.
  editor.addEventListener("click", (event) => {
    const button = event.target.closest(".rename");
    if (!button) return;
    const row = button.closest("tr"), code = codes.get(Number(row.dataset.code));
    const cell = row.querySelector(".code-name"), nameNode = cell.lastChild;
    const field = Object.assign(document.createElement("input"), { value: code.name, className: "rename-input" });
    field.setAttribute("aria-label", `New name for ${row.dataset.path}`);
    nameNode.replaceWith(field);
    field.focus(); field.select();
    field.addEventListener("keydown", (e) => {
      if (e.key === "Enter") run(api("PATCH", `${base}/${code.id}`, { name: field.value }), `Renamed to “${field.value}”.`);
      if (e.key === "Escape") { field.replaceWith(nameNode); button.focus(); }
    });
  });

  // The edit dialog: fields, colour and parent, the keyboard route to moving by drag.
  const dialog = document.getElementById("code-editor"), form = document.getElementById("code-editor-form");
  let editing = null;
  editor.addEventListener("click", (event) => {
    const button = event.target.closest(".edit");
    if (!button) return;
    editing = codes.get(Number(button.closest("tr").dataset.code));
    for (const key of FIELDS) form.elements.namedItem(key).value = editing[key] || "";
    form.elements.parent_id.value = editing.parent_id || "";
    document.getElementById("code-editor-error").textContent = "";
    dialog.showModal();
  });
  form.addEventListener("submit", async (event) => {
    if (event.submitter && event.submitter.value === "cancel") return;
    event.preventDefault();
    const error = document.getElementById("code-editor-error"), f = form.elements;
    try {
      const fields = Object.fromEntries(FIELDS.map((k) => [k, f.namedItem(k).value]));
      await api("PATCH", `${base}/${editing.id}`, fields);
      const parent = f.parent_id.value ? Number(f.parent_id.value) : null;
      if (parent !== (editing.parent_id || null)) await api("POST", `${base}/${editing.id}/move`, { parent_id: parent });
      reload(`Saved “${fields.name}”.`);
    } catch (e) { error.textContent = e.message; }
  });

  // Drag and drop: onto a row asks "move under it or merge into it?"; onto the top zone moves to the top.
  const top = document.getElementById("drop-top"), choice = document.getElementById("drop-choice");
  let dragged = null;
  rows.forEach((row) => {
    row.addEventListener("dragstart", (e) => { dragged = codes.get(Number(row.dataset.code)); e.dataTransfer.setData("text/plain", row.dataset.path); });
    row.addEventListener("dragend", () => { [top, ...rows].forEach((r) => r.classList.remove("drop-target")); });
  });
  const target = (e) => e.target.closest("tr[data-code]") || (e.target.closest("#drop-top") ? top : null);
  editor.addEventListener("dragover", (e) => { const t = target(e); if (dragged && t) { e.preventDefault(); t.classList.add("drop-target"); } });
  editor.addEventListener("dragleave", (e) => { const t = target(e); if (t) t.classList.remove("drop-target"); });
  editor.addEventListener("drop", (e) => {
    const t = target(e);
    if (!dragged || !t) return;
    e.preventDefault();
    const source = dragged;
    dragged = null;
    if (t === top) return run(api("POST", `${base}/${source.id}/move`, { parent_id: null }), `Moved “${source.name}” to the top level.`);
    const onto = codes.get(Number(t.dataset.code));
    if (onto.id === source.id) return;
    document.getElementById("drop-choice-text").textContent = `What should happen to “${source.name}” and “${onto.name}”? Merging moves all codings and subcodes of “${source.name}” into “${onto.name}” and deletes “${source.name}”.`;
    choice.returnValue = "";
    choice.showModal();
    choice.addEventListener("close", () => {
      if (choice.returnValue === "move") run(api("POST", `${base}/${source.id}/move`, { parent_id: onto.id }), `Moved “${source.name}” under “${onto.name}”.`);
      if (choice.returnValue === "merge") run(api("POST", `${base}/${source.id}/merge`, { target_id: onto.id }), `Merged “${source.name}” into “${onto.name}”.`);
    }, { once: true });
  });
}
