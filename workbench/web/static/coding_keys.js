// coding_keys.js: the number keys 1-9 of the coding screen. They are the codes the coder pinned
// (kept on the server per user and project, pinned from the codebook panel) or, with no pins, the
// codebook's first nine. Nothing reorders them by recency: a code's key only changes when the coder
// pins or unpins.
import { api } from "./coding_parts.js";

const asMap = (pins) => new Map(Object.entries(pins).map(([key, id]) => [Number(key), id]));

export function numberKeys(data, codes, base, say) {
  let pins = asMap(data.pins), keys = new Map(); // key -> code id
  const keyOf = (id) => [...keys].find(([, c]) => c === id)?.[0];
  function renumber() { // also after a code is added: without pins it may be among the first nine
    const pinned = [...pins].filter(([, id]) => codes.has(id));
    keys = new Map(pinned.length ? pinned : data.codes.slice(0, 9).map((c, k) => [k + 1, c.id]));
    document.querySelectorAll("[data-shortcut-of]").forEach((el) => { el.textContent = keyOf(Number(el.dataset.shortcutOf)) || ""; });
    document.querySelectorAll("[data-pin]").forEach((el) => {
      const on = [...pins.values()].includes(Number(el.dataset.pin));
      el.setAttribute("aria-pressed", on);
      el.title = on ? "Unpin: free its number key" : "Pin to a number key";
    });
  }
  renumber();
  document.querySelector(".side-codebook")?.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-pin]");
    if (!button) return;
    const id = Number(button.dataset.pin), on = button.getAttribute("aria-pressed") === "true";
    try {
      pins = asMap((await api(on ? "DELETE" : "PUT", `${base}/shortcuts/${id}`)).pins);
      renumber();
      say(on ? `Unpinned ${codes.get(id).path}.` : `Pinned ${codes.get(id).path} to key ${keyOf(id)}.`);
    } catch (error) { say(error.message); }
  });
  return { keyOf, codeFor: (key) => keys.get(key), renumber };
}
