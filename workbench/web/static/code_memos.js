// The code page: the server listed the memos for reading without JavaScript; the shared widget adds writing.
import { api, memoWidget } from "./coding_parts.js";

const list = document.getElementById("code-memos"), base = `/api/projects/${list.dataset.project}`;
api("GET", `${base}/memos?code_id=${list.dataset.id}`).then((r) => memoWidget(list, base, list.dataset.canWrite === "yes", list.dataset.user, r.memos));
