// retrieval.js: "Expand context" on a code's page without reloading it. The link is a real link
// (?context=N#p-<id>, rendered by the server, so it works without JavaScript too); here it is fetched
// and only that passage is swapped for the server's rendering of it, its other links kept in step.
const list = document.querySelector("ol.passages");
if (list) {
  list.addEventListener("click", async (event) => {
    const link = event.target.closest("a.expand-context");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const item = link.closest("li.passage");
    try {
      const response = await fetch(link.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(`${response.status}`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById(item.id);
      if (!fresh) throw new Error("passage not found");
      item.replaceWith(document.adoptNode(fresh));
      fresh.querySelector("a.expand-context")?.focus();
    } catch {
      location.assign(link.href); // fall back to the plain link
    }
  });
}
