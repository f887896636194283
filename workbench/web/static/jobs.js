// The project's jobs panel: running and failed jobs with progress bars, and a Retry button on
// failed ones for coders and owners. Polls GET /api/projects/<id>/jobs while anything is unfinished
// (slowly when all is quiet), so an upload's embedding shows up without a reload; a finished export
// gets its Download link.
const panel = document.getElementById("jobs");

if (panel) {
  const list = panel.querySelector(".job-list");
  const url = panel.dataset.url;
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const BUSY_MS = 1000;
  const QUIET_MS = 10000;
  let timer = null;

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  function describe(job) {
    if (job.status === "queued") return job.error ? `waiting to retry — ${job.error}` : "queued";
    if (job.status === "running") return job.total ? `${job.done} of ${job.total}` : "starting";
    if (job.status === "failed") return `failed: ${job.error}`;
    return job.result?.summary ?? "done";
  }

  function row(job, mayRetry) {
    const item = el("li", { className: `job job-${job.status}` });
    item.dataset.jobId = job.id;
    const bar = el("progress", { max: Math.max(job.total, 1), value: job.status === "done" ? Math.max(job.total, 1) : job.done });
    bar.setAttribute("aria-label", `${job.label}: progress`);
    item.append(el("span", { className: "job-label" }, job.label), bar, el("span", { className: "job-state" }, describe(job)));
    if (job.download) {
      item.append(el("a", { className: "button job-download", href: job.download, download: "" }, "Download"));
    }
    if (job.status === "failed" && mayRetry) {
      const button = el("button", { type: "button", className: "job-retry" }, "Retry");
      button.addEventListener("click", () => retry(job.id, button));
      item.append(button);
    }
    return item;
  }

  async function retry(jobId, button) {
    button.disabled = true;
    const response = await fetch(`${url}/${jobId}/retry`, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: "{}",
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      button.replaceWith(el("span", { className: "job-error", role: "alert" }, data.error || `The server answered ${response.status}.`));
    }
    refresh();
  }

  async function refresh() {
    clearTimeout(timer);
    let busy = false;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const data = await response.json();
      list.replaceChildren(...data.jobs.map((job) => row(job, data.may_retry)));
      panel.hidden = data.jobs.length === 0;
      busy = data.jobs.some((job) => job.status === "queued" || job.status === "running");
    } catch (error) {
      list.replaceChildren(el("li", { className: "job-error" }, `Could not load the jobs: ${error.message}`));
    }
    timer = setTimeout(refresh, busy ? BUSY_MS : QUIET_MS);
  }

  refresh();
}
