// The rotations dashboard: run the scheduler (live progress), review the latest run as an
// employee × day grid, approve per day, per employee or all. The server decides everything;
// the page refetches /dash/rotations/data/ when a run or a proposal changes.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let data = JSON.parse($("rot-initial").textContent);
  const API = "/api/v1/rotations";
  const OPEN = ["proposed", "user_edited", "failed"];
  let firstDay = 0;
  let selected = null; // proposal id shown in the detail panel
  let progressRun = null;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach((c) => c && node.append(c));
    return node;
  }

  function show(node, text) { node.textContent = text || ""; node.hidden = !text; }
  function notice(text) { show($("rot-notice"), text); show($("rot-error"), ""); }
  function problem(error) {
    const errors = error && error.data && error.data.errors;
    const extra = errors ? Object.values(errors).flat().join(" ") : "";
    show($("rot-error"), [error.message || String(error), extra].filter(Boolean).join(" — "));
    show($("rot-notice"), "");
  }

  const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  function dayLabel(iso) { return dayFmt.format(new Date(iso + "T00:00:00Z")); }
  function perPage() { return window.innerWidth < 700 ? 1 : 5; }

  function proposals() {
    const out = [];
    if (!data.grid) return out;
    data.grid.employees.forEach((e) => data.grid.days.forEach((d) => e.cells[d].forEach((p) => out.push({ ...p, day: d, employee: e }))));
    return out;
  }

  // --- runs and the live progress bar -----------------------------------------------------------
  function renderRuns() {
    const list = $("rot-runs");
    list.replaceChildren();
    data.runs.forEach((r) => {
      const state = r.superseded_by ? `superseded by run #${r.superseded_by}` : r.status;
      list.append(el("li", { class: r.superseded_by ? "superseded" : "" }, [
        el("strong", { text: `Run #${r.id}` }),
        el("span", { class: "badge " + (r.status === "completed" ? "ok" : r.status === "running" ? "warn" : "bad"), text: state }),
        el("span", { class: "muted", text: `${r.kind} · ${r.window_start} → ${r.window_end}` }),
        el("span", { text: `${r.events_scheduled} proposed, ${r.events_failed} not scheduled` + (r.approved_at ? " · approved" : "") }),
      ]));
    });
    const running = data.runs.find((r) => r.status === "running");
    if (running) progress(running.id, running.progress, running.progress_message);
    else if (progressRun === null) $("rot-progress").hidden = true;
    $("rot-run-button").hidden = !data.can_run;
    $("rot-run-button").disabled = Boolean(running);
  }

  function progress(runId, percent, message) {
    progressRun = runId;
    $("rot-progress").hidden = false;
    $("rot-progress-text").textContent = `Run #${runId}: ${message || "working"}`;
    $("rot-progress-percent").textContent = `${percent}%`;
    $("rot-bar").setAttribute("aria-valuenow", String(percent));
    $("rot-bar-fill").style.width = `${percent}%`;
  }

  $("rot-run-button").addEventListener("click", async () => {
    $("rot-run-button").disabled = true;
    try {
      const started = await SetdeskApi.post(API + "/auto-schedule/run/", {});
      progress(started.run_id, 0, "queued");
      notice(`Run #${started.run_id} started.`);
      // A quick run on a free worker can end before this answer arrives: its events came first.
      const ended = endedRuns[started.run_id];
      if (ended) showEnded(ended);
    } catch (error) {
      $("rot-run-button").disabled = false;
      problem(error);
    }
  });

  // --- the grid ---------------------------------------------------------------------------------
  function chip(p) {
    const past = p.past ? el("span", { class: "rot-past", text: " ⚠", title: "in the past" }) : null;
    return el("button", {
      type: "button", class: "rot-chip " + p.status, "aria-pressed": selected === p.id ? "true" : "false",
      "data-proposal": p.id, onclick: () => { selected = selected === p.id ? null : p.id; render(); },
    }, [el("span", { text: `${p.time} C-${p.ref} ${p.type}` }), past]);
  }

  function openIds(filter) {
    return proposals().filter((p) => OPEN.includes(p.status) && filter(p)).map((p) => p.id);
  }

  function approveButton(label, filter, body) {
    const count = data.can_approve ? openIds(filter).length : 0;
    if (!count) return null;
    return el("button", { type: "button", class: "small", text: `${label} (${count})`, onclick: () => approveMany(filter, body) });
  }

  function render() {
    const grid = $("rot-grid");
    grid.replaceChildren();
    $("rot-empty").hidden = Boolean(data.grid);
    if (!data.grid) { $("rot-approve-all").hidden = true; renderDetail(); renderUnscheduled(); return; }
    const days = data.grid.days;
    const n = perPage();
    firstDay = Math.max(0, Math.min(firstDay, Math.max(0, days.length - n)));
    const shown = days.slice(firstDay, firstDay + n);
    const first = shown.length ? dayLabel(shown[0]) : "";
    $("rot-range").textContent = shown.length > 1 ? `${first} – ${dayLabel(shown[shown.length - 1])}` : first;
    $("rot-prev").disabled = firstDay === 0;
    $("rot-next").disabled = firstDay + n >= days.length;
    $("rot-grid-sub").textContent = `Run #${data.grid.run_id} · times in ${data.time_zone}`;
    grid.style.gridTemplateColumns = `minmax(6.5rem, 1.1fr) repeat(${shown.length}, minmax(0, 2fr))`;
    grid.append(el("div", { class: "rot-head", text: "Employee" }));
    shown.forEach((d) => grid.append(el("div", { class: "rot-head" }, [
      el("div", { text: dayLabel(d) }),
      approveButton("Approve day", (p) => p.day === d, { day: d }),
    ])));
    // Only the people with something on the days shown: a phone shows one day at a time.
    const rows = data.grid.employees.filter((e) => shown.some((d) => e.cells[d].length));
    rows.forEach((e) => {
      grid.append(el("div", { class: "rot-emp" }, [
        el("div", { text: e.name }),
        approveButton("Approve all theirs", (p) => p.employee.id === e.id, { employee: e.id }),
      ]));
      shown.forEach((d) => grid.append(el("div", {}, e.cells[d].map(chip))));
    });
    if (!rows.length) grid.append(el("div", { class: "muted", style: `grid-column: 1 / span ${shown.length + 1}`, text: "Nothing proposed on these days." }));
    const all = openIds(() => true);
    $("rot-approve-all").hidden = !(data.can_approve && all.length);
    $("rot-approve-all").textContent = `Approve all (${all.length})`;
    renderDetail();
    renderUnscheduled();
  }

  function renderDetail() {
    const box = $("rot-detail");
    const p = proposals().find((x) => x.id === selected);
    if (!p) { box.hidden = true; box.replaceChildren(); return; }
    const lines = [
      el("h3", { text: `C-${p.ref} ${p.type} → ${p.employee.name}, ${dayLabel(p.day)} ${p.time} (${p.minutes} min)` }),
      el("p", { text: `Status: ${p.status.replace("_", " ")}` }),
      p.reason ? el("p", { text: `Why: ${p.reason}` }) : null,
      p.is_swap ? el("p", { text: `Swap: ${p.swap_reason}` }) : null,
      p.is_fallback ? el("p", { text: "The rotation's employee was not available: someone else." }) : null,
      p.failure_reason ? el("p", { class: "behind", text: `Failed: ${p.failure_reason}` }) : null,
      p.past ? el("p", { class: "behind", text: "⚠ This time is already in the past." }) : null,
    ];
    const actions = el("div", { class: "rot-actions" });
    if (data.can_approve && OPEN.includes(p.status)) {
      actions.append(el("button", { type: "button", text: p.status === "failed" ? "Retry" : "Approve", onclick: () => approveOne(p) }));
      actions.append(el("button", { type: "button", class: "secondary", text: "Reject", onclick: () => rejectOne(p) }));
    }
    actions.append(el("a", { href: `/admin/rotations/pendingschedule/${p.id}/change/`, text: "Edit in the admin" }));
    box.replaceChildren(...lines.filter(Boolean), actions);
    box.hidden = false;
  }

  function renderUnscheduled() {
    const list = $("rot-unscheduled");
    const rows = (data.grid && data.grid.unscheduled) || [];
    list.replaceChildren(...rows.map((u) => el("li", {}, [
      el("strong", { text: `C-${u.project_ref_num}` }), document.createTextNode(` ${u.type || ""}`),
      u.due_date ? el("span", { class: "muted", text: ` · due ${u.due_date}` }) : null,
      el("div", { text: u.reason }),
    ])));
    $("rot-unscheduled-empty").hidden = rows.length > 0;
  }

  // --- approvals ----------------------------------------------------------------------------------
  function confirmPast(ids) {
    const past = proposals().filter((p) => ids.includes(p.id) && p.past).length;
    return !past || window.confirm(`${past} of these proposals are in the past. Approve anyway?`);
  }

  async function approveMany(filter, body) {
    const ids = openIds(filter);
    if (!confirmPast(ids)) return;
    try {
      const counts = await SetdeskApi.post(`${API}/runs/${data.grid.run_id}/approve/`, body);
      notice(summary(counts));
      await refresh();
    } catch (error) { problem(error); }
  }

  $("rot-approve-all").addEventListener("click", async () => {
    const ids = openIds(() => true);
    if (!confirmPast(ids)) return;
    try {
      const counts = await SetdeskApi.post(`${API}/runs/${data.grid.run_id}/approve-all/`, {});
      notice(summary(counts));
      await refresh();
    } catch (error) { problem(error); }
  });

  function summary(c) {
    const sending = c.approved ? `, ${c.approved} being sent` : "";
    return `${c.submitted} submitted${sending}, ${c.failed} failed (of ${c.considered}).`;
  }

  async function approveOne(p) {
    if (p.past && !window.confirm("This proposal is in the past. Approve anyway?")) return;
    try {
      const out = await SetdeskApi.post(`${API}/proposals/${p.id}/approve/`, {});
      notice(`C-${p.ref}: ${out.status.replace("_", " ")}.`);
      await refresh();
    } catch (error) { problem(error); }
  }

  async function rejectOne(p) {
    try {
      await SetdeskApi.post(`${API}/proposals/${p.id}/reject/`, {});
      notice(`C-${p.ref} rejected.`);
      await refresh();
    } catch (error) { problem(error); }
  }

  // --- data and live updates ------------------------------------------------------------------------
  let generation = 0;
  async function refresh() {
    const mine = ++generation;
    try {
      const fresh = await SetdeskApi.get("/dash/rotations/data/");
      if (mine !== generation) return;
      data = { ...fresh, groups: data.groups };
      renderRuns();
      render();
    } catch (error) { /* the next event or the poll brings it */ }
  }

  let timer = null;
  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 300); }

  const endedRuns = {}; // run id → its last status event, for a run that ends before its POST answers
  function showEnded(payload) {
    progress(payload.run_id, payload.status === "completed" ? 100 : payload.progress, payload.status);
    if (payload.status === "completed") notice(`Run #${payload.run_id} completed.`);
    else if (payload.error) show($("rot-error"), `Run #${payload.run_id} ${payload.status}: ${payload.error}`);
  }

  data.groups.forEach((group) => window.setdeskLive.subscribe(group, (event) => {
    const type = String(event.type);
    if (type === "rotations.run.progress" || type === "rotations.run.started") {
      progress(event.payload.run_id, event.payload.progress, event.payload.progress_message);
      if (type === "rotations.run.started") soon();
    } else if (type.indexOf("rotations.run.") === 0) {
      endedRuns[event.payload.run_id] = event.payload;
      if (event.payload.run_id === progressRun) showEnded(event.payload);
      soon();
    } else if (type.indexOf("rotations.") === 0) {
      soon();
    }
  }, refresh));
  setInterval(refresh, data.groups.length ? 120000 : 20000); // a safety net

  $("rot-prev").addEventListener("click", () => { firstDay -= perPage(); render(); });
  $("rot-next").addEventListener("click", () => { firstDay += perPage(); render(); });
  let lastPerPage = perPage();
  window.addEventListener("resize", () => { if (perPage() !== lastPerPage) { lastPerPage = perPage(); render(); } });

  renderRuns();
  render();
})();
