// undo.js: Undo and Redo for the signed-in coder (buttons, Ctrl+Z / Ctrl+Shift+Z), and the
// announcement of what was just done, with its own Undo button. Pages tell it about a change with
// the event `workbench:changed` ({detail: {message}}); after an undo or redo it dispatches
// `workbench:reload` so the page fetches what changed.
import { api } from "./coding_parts.js";

const bar = document.getElementById("undo-bar");
if (bar) init(bar);

function init(bar) {
  const url = `/api/projects/${bar.dataset.project}`;
  const undoButton = document.getElementById("undo-button"), redoButton = document.getElementById("redo-button");
  const text = document.getElementById("announcement-text"), again = document.getElementById("announcement-undo");
  let busy = false;

  function show(state) {
    undoButton.disabled = !state.undo;
    undoButton.textContent = state.undo ? `Undo: ${state.undo}` : "Undo";
    redoButton.disabled = !state.redo;
    redoButton.textContent = state.redo ? `Redo: ${state.redo}` : "Redo";
  }
  const refresh = () => api("GET", `${url}/undo`).then(show).catch(() => {});
  function announce(message, offerUndo) {
    text.textContent = message;
    again.hidden = !offerUndo;
  }
  async function run(kind) {
    if (busy) return;
    busy = true;
    try {
      const result = await api("POST", `${url}/${kind}`);
      show(result);
      announce(result.message, false);
      document.dispatchEvent(new CustomEvent("workbench:reload", { detail: { message: result.message } }));
    } catch (error) {
      announce(error.message, false);
      refresh();
    } finally { busy = false; }
  }

  undoButton.addEventListener("click", () => run("undo"));
  redoButton.addEventListener("click", () => run("redo"));
  again.addEventListener("click", () => run("undo"));
  document.addEventListener("workbench:changed", (event) => {
    announce((event.detail && event.detail.message) || "Saved.", true);
    refresh();
  });
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== "z") return;
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return; // the field's own undo
    event.preventDefault();
    run(event.shiftKey ? "redo" : "undo");
  });
  // A page that reloads after a change (the codebook) hands its announcement over.
  const handed = sessionStorage.getItem("workbench.announce");
  if (handed) {
    sessionStorage.removeItem("workbench.announce");
    const { message, undo } = JSON.parse(handed);
    announce(message, undo);
  }
  refresh();
}
