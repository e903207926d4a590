// @ts-check
/**
 * Background tasks over every entrant: the index rebuild, the retention sweep, re-sending
 * work the objects have not seen confirmed, checking every submission's links again. Organisers start them and resume a stalled one;
 * everyone sees their progress, which refreshes while a run is going.
 */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { me, profileLoaded } from "./profile.js";
import { say } from "./status.js";
import { plural } from "./text.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").TaskRun} TaskRun */

/** @type {Record<string, string>} */
const KIND_LABELS = { reindex: "Index rebuild", retention: "Retention sweep", flush: "Re-send unconfirmed work", recheck: "Link checks" };

/** @type {Record<string, string>} */
const START_PATHS = { reindex: "/admin/api/reindex", flush: "/admin/api/flush", recheck: "/admin/api/checks" };

/** How often a running task's progress is read again. */
const POLL_MS = 2_000;

/** @param {TaskRun} run */
export function progressText(run) {
  const total = Math.max(Number(run.total) || 0, 0);
  const processed = Math.max(Number(run.processed) || 0, 0);
  const failed = Number(run.failed) || 0;
  const share = total > 0 ? Math.min(100, Math.round((processed / total) * 100)) : run.status === "done" ? 100 : 0;
  const failures = failed ? `, ${plural(failed, "failure")} (see dead letters)` : "";
  return { share, text: `${processed} of ${plural(total, "entrant")}${failures}` };
}

/**
 * @param {TaskRun} run
 * @param {() => void} reload
 */
function runRow(run, reload) {
  const { share, text } = progressText(run);
  const state = run.status === "done" ? "Done" : run.stalled ? "Stalled" : "Running";
  const bar = el("progress", { max: "100", value: String(share), "aria-label": `${KIND_LABELS[run.kind] ?? run.kind}: ${share}%` });
  const row = el("tr", { "data-testid": "task-row", "data-status": state.toLowerCase() },
    el("td", {}, KIND_LABELS[run.kind] ?? String(run.kind), el("span", { class: "sub" }, `by ${run.started_by}`)),
    el("td", {}, bar, el("span", { class: "sub" }, text)),
    el("td", {}, el("span", { class: `badge ${run.status === "done" ? "sent" : run.stalled ? "dead" : "retrying"}` }, state)),
    el("td", {}, when(run.started_at)),
  );
  if (me.role === "organiser") {
    const cell = el("td", {});
    if (run.stalled) {
      const resume = el("button", { type: "button", class: "secondary small", "data-testid": "resume-task" }, "Resume");
      resume.addEventListener("click", async () => {
        resume.disabled = true;
        try {
          await api(`/admin/api/tasks/${encodeURIComponent(run.id)}/resume`, { method: "POST", body: {} });
          say(`The ${(KIND_LABELS[run.kind] ?? run.kind).toLowerCase()} goes on from where it stopped.`, "good");
          reload();
        } catch (error) {
          resume.disabled = false;
          say(`Could not resume it: ${asApiError(error).message}`, "bad");
        }
      });
      cell.append(resume);
    }
    row.append(cell);
  }
  return row;
}

/** Wires the tasks' panel: the runs, and (for organisers) the buttons that start them. */
export function startTasks() {
  const details = /** @type {HTMLDetailsElement} */ ($("#tasks-details"));
  const rows = $("#task-rows");
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  async function load() {
    clearTimeout(timer);
    try {
      await profileLoaded();
      /** @type {{ tasks: TaskRun[] }} */
      const { tasks } = await api("/admin/api/tasks?limit=20");
      rows.replaceChildren(...tasks.map((run) => runRow(run, load)));
      $("#tasks-count").textContent = tasks.length ? "" : "No task has run yet.";
      if (me.role === "organiser" && !document.querySelector("#tasks-action")) $("#tasks-head").append(el("th", { scope: "col", id: "tasks-action" }, "Action"));
      if (details.open && tasks.some((run) => run.status === "running" && !run.stalled)) timer = setTimeout(load, POLL_MS);
    } catch (error) {
      const failure = asApiError(error);
      if (failure.status !== 401) say(`Could not load the tasks: ${failure.message}`, "bad");
    }
  }

  for (const button of document.querySelectorAll("[data-start-task]")) {
    if (!(button instanceof HTMLButtonElement)) continue;
    const kind = button.dataset.startTask ?? "";
    const path = START_PATHS[kind];
    if (!path) continue;
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api(path, { method: "POST", body: {} });
        say(`${KIND_LABELS[kind] ?? kind} started.`, "good");
        details.open = true;
        await load();
      } catch (error) {
        say(`Could not start it: ${asApiError(error).message}`, "bad");
      } finally {
        button.disabled = false;
      }
    });
  }
  details.addEventListener("toggle", () => {
    if (details.open) load();
    else clearTimeout(timer);
  });
}
