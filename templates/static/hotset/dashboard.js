// Hot set dashboard: renders the session and its projection (from the page, then the API),
// follows hotset.session.<id> over /ws/ (and, when allowed, its settings and suggestions
// groups) and refetches on every event (or a resync).
(function () {
  "use strict";

  const root = document.getElementById("hotset");
  const sessionId = root.dataset.sessionId;
  const initial = JSON.parse(document.getElementById("hs-initial").textContent);
  const API = "/api/v1/hotset";
  const state = {
    session: initial.session,
    projection: initial.projection,
    canRun: initial.can_run,
    tab: initial.default_view || "current",
    busy: false,
  };
  const $ = (id) => document.getElementById(id);

  // --- formatting (the API sends ISO times already in the project's zone) -----------------
  function hhmm(iso) { return iso ? iso.slice(11, 16) : "—"; }
  function span(minutes) {
    const m = Math.abs(minutes);
    if (m < 60) return m + " min";
    const h = Math.floor(m / 60), r = m % 60;
    return h + " h" + (r ? " " + String(r).padStart(2, "0") + " min" : "");
  }
  function variance(minutes) {
    if (minutes === null || minutes === undefined) return "—";
    if (minutes === 0) return "on schedule";
    return (minutes > 0 ? "+" : "−") + span(minutes) + (minutes > 0 ? " ahead" : " behind");
  }
  function varClass(el, minutes) {
    el.classList.toggle("ahead", minutes > 0);
    el.classList.toggle("behind", minutes < 0);
  }
  function minutesBetween(a, b) { return Math.round((Date.parse(b) - Date.parse(a)) / 60000); }
  function pages(eighths) {
    const whole = Math.floor(eighths / 8), rest = eighths % 8;
    return (whole ? whole + (rest ? " " : "") : "") + (rest ? rest + "/8" : whole ? "" : "0");
  }
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v; else if (k.startsWith("data")) node.setAttribute(k, v); else node[k] = v;
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function badge(status, partial) {
    return el("span", { class: "badge " + (partial ? "partial" : status) }, partial ? "partial" : status.replace("_", " "));
  }

  // --- actions ---------------------------------------------------------------------------
  function showError(message) {
    const box = $("hs-error");
    box.textContent = message || "";
    box.hidden = !message;
  }
  async function act(url, body, confirmText) {
    if (state.busy) return;
    if (confirmText && !window.confirm(confirmText)) return;
    state.busy = true; render();
    try {
      await SetdeskApi.post(url, body || {});
      showError("");
      await refresh();
    } catch (err) {
      showError(err.message || "The action failed.");
    } finally {
      state.busy = false; render();
    }
  }
  function button(text, onClick, cls, testid) {
    const b = el("button", { type: "button", class: cls || "" }, text);
    if (testid) b.setAttribute("data-testid", testid);
    b.disabled = state.busy;
    b.addEventListener("click", onClick);
    return b;
  }
  const itemUrl = (id, action) => API + "/items/" + id + "/" + action + "/";
  const sessionUrl = (action) => API + "/sessions/" + sessionId + "/" + action + "/";

  // --- rendering ---------------------------------------------------------------------------
  function renderHead() {
    const s = state.session;
    const status = $("hs-status");
    status.className = "badge " + s.status;
    status.textContent = s.status.replace("_", " ") + (s.auto_started ? " (auto)" : "");
    $("hs-sub").textContent = [
      s.date, "call " + hhmm(s.general_call_time), s.location, s.timezone,
    ].filter(Boolean).join(" · ");
    const run = $("hs-run-actions");
    run.hidden = !state.canRun || s.status === "wrapped";
    $("hs-start-day").hidden = s.status !== "not_started";
    $("hs-wrap").hidden = s.status !== "in_progress";
    $("hs-start-day").disabled = $("hs-wrap").disabled = state.busy;
  }

  function renderPrecall() {
    const s = state.session;
    const box = $("hs-precall");
    box.hidden = s.status === "wrapped" || !!s.first_shot_confirmed_at;
    if (box.hidden) return;
    tickCountdown();
    const crew = $("hs-confirm-crew"), shot = $("hs-confirm-shot");
    crew.hidden = shot.hidden = !state.canRun;
    crew.disabled = state.busy || !!s.crew_call_confirmed_at;
    shot.disabled = state.busy || !s.crew_call_confirmed_at;
    $("hs-confirmed").textContent = s.crew_call_confirmed_at
      ? "Crew call confirmed at " + hhmm(s.crew_call_confirmed_at) + (s.crew_call_confirmed_by ? " by " + s.crew_call_confirmed_by : "")
      : "";
  }

  function tickCountdown() {
    const s = state.session;
    if (!s.general_call_time) return;
    const diff = Math.round((Date.parse(s.general_call_time) - Date.now()) / 1000);
    const abs = Math.abs(diff);
    const text = [Math.floor(abs / 3600), Math.floor((abs % 3600) / 60), abs % 60]
      .map((n) => String(n).padStart(2, "0")).join(":");
    $("hs-countdown-label").textContent = diff >= 0 ? "Crew call in" : "Crew call was";
    $("hs-countdown").textContent = diff >= 0 ? text : text + " ago";
  }

  function renderChecklist() {
    const list = $("hs-checklist");
    const key = "hotset-checklist-" + sessionId;
    let ticked = {};
    try { ticked = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { ticked = {}; }
    list.replaceChildren();
    initial.checklist.forEach((text, i) => {
      const box = el("input", { type: "checkbox", checked: !!ticked[i] });
      box.addEventListener("change", () => {
        ticked[i] = box.checked;
        localStorage.setItem(key, JSON.stringify(ticked));
      });
      const label = el("label");
      label.append(box, document.createTextNode(text));
      const li = el("li");
      li.append(label);
      list.append(li);
    });
  }

  function renderVariance() {
    const p = state.projection;
    const cum = $("hs-cumulative"), dev = $("hs-deviation");
    cum.textContent = variance(p.cumulative_variance_minutes);
    varClass(cum, p.cumulative_variance_minutes);
    dev.textContent = variance(p.realtime_deviation_minutes);
    varClass(dev, p.realtime_deviation_minutes);
    const byId = itemsById();
    const current = byId[p.current_item_id], expected = byId[p.expected_item_id];
    let where = p.schedule_position ? "Schedule position " + hhmm(p.schedule_position) : "";
    if (p.realtime_deviation_minutes < 0 && expected && (!current || expected.id !== current.id)) {
      where += " · expected " + expected.label + (current ? ", still on " + current.label : "");
    }
    $("hs-position").textContent = where;
    $("hs-projected-wrap").textContent = $("hs-full-wrap").textContent = hhmm(p.projected_wrap);
    const planned = "planned " + hhmm(p.planned_wrap) + " (" + variance(p.wrap_variance_minutes) + ")";
    $("hs-planned-wrap").textContent = $("hs-full-planned").textContent = planned;
  }

  function itemsById() {
    const out = {};
    state.projection.items.forEach((i) => { out[i.id] = i; });
    return out;
  }

  function itemMeta(item) {
    const bits = [];
    if (item.set_name) bits.push(item.set_name);
    if (item.location) bits.push(item.location);
    if (item.kind === "scene") bits.push(pages(item.pages_eighths) + " pg", item.setups + " setups");
    bits.push(item.planned_duration_minutes + " min planned");
    return bits.join(" · ");
  }

  function canAct() { return state.canRun && state.session.status !== "wrapped"; }

  function renderCurrent() {
    const p = state.projection, byId = itemsById();
    const card = $("hs-current");
    card.replaceChildren();
    const current = byId[p.current_item_id];
    if (current) {
      card.append(el("div", { class: "muted" }, "Now · since " + hhmm(current.actual.start)));
      card.append(el("div", { class: "label" }, current.label));
      card.append(el("div", { class: "muted" }, itemMeta(current)));
      const over = current.elapsed_minutes - current.planned_duration_minutes;
      const elapsed = el("div", { class: "elapsed " + (over > 0 ? "behind" : "") }, span(current.elapsed_minutes || 0));
      card.append(el("div", { class: "meta" }, ""), elapsed,
        el("div", { class: "muted" }, over > 0 ? span(over) + " over" : span(-over) + " left · ends " + hhmm(current.projected.end)));
      if (canAct()) {
        const row = el("div", { class: "buttons" });
        row.append(button("Complete", () => act(itemUrl(current.id, "complete")), "", "complete-current"));
        if (current.kind === "scene") {
          row.append(button("Complete as partial", () => act(itemUrl(current.id, "complete"), { partial: true }), "secondary"));
        }
        card.append(row);
      }
    } else {
      const next = byId[p.next_item_id];
      card.append(el("div", { class: "muted" }, state.session.status === "wrapped" ? "Wrapped" : "Nothing in progress"));
      card.append(el("div", { class: "label" }, state.session.status === "wrapped"
        ? "That's a wrap at " + hhmm(state.session.wrapped_at)
        : next ? "Next: " + next.label : "No pending items"));
      if (next && canAct()) {
        const row = el("div", { class: "buttons" });
        row.append(button("Start " + next.label, () => act(itemUrl(next.id, "start")), "", "start-next"));
        card.append(row);
      }
    }
    const list = $("hs-next");
    list.replaceChildren();
    const upcoming = p.items.filter((i) => i.status === "pending").slice(0, 3);
    upcoming.forEach((item) => {
      const li = el("li");
      li.append(el("div", { class: "" }, item.label),
        el("div", { class: "times" }, hhmm(item.projected.start) + "–" + hhmm(item.projected.end) +
          " projected · planned " + hhmm(item.planned.start)),
        el("div", { class: "times" }, itemMeta(item)));
      if (canAct()) {
        const row = el("div", { class: "buttons" });
        if (!p.current_item_id) row.append(button("Start", () => act(itemUrl(item.id, "start")), "secondary"));
        row.append(button("Skip", () => act(itemUrl(item.id, "skip"), {}, "Skip " + item.label + "?"), "secondary"));
        li.append(row);
      }
      list.append(li);
    });
    if (!upcoming.length) list.append(el("li", { class: "muted" }, "Nothing left to shoot."));
  }

  function renderFull() {
    const p = state.projection;
    const body = $("hs-full-table").tBodies[0];
    body.replaceChildren();
    p.items.forEach((item, index) => {
      const tr = el("tr", { class: (item.id === p.current_item_id ? "active " : "") +
        (item.id === p.expected_item_id ? "expected " : "") + item.status });
      tr.setAttribute("data-item-id", item.id);
      const actual = item.actual.start ? hhmm(item.actual.start) + "–" + (item.actual.end ? hhmm(item.actual.end) : "…") : "—";
      const cells = [
        String(index + 1),
        null,
        hhmm(item.planned.start) + "–" + hhmm(item.planned.end),
        hhmm(item.projected.start) + "–" + hhmm(item.projected.end),
        actual,
        item.variance_minutes === null ? "" : (item.variance_minutes > 0 ? "+" : "") + item.variance_minutes,
      ];
      cells.forEach((text, i) => {
        if (i === 1) {
          const td = el("td", { class: "item" });
          td.append(el("div", {}, item.label), el("div", { class: "muted small" }, itemMeta(item)));
          tr.append(td);
        } else {
          const td = el("td", {}, text);
          if (i === 5 && item.variance_minutes) td.className = item.variance_minutes > 0 ? "ahead" : "behind";
          tr.append(td);
        }
      });
      const status = el("td");
      status.append(badge(item.status, item.is_partial));
      tr.append(status);
      const actions = el("td");
      if (canAct() && item.status === "pending") {
        if (!p.current_item_id) actions.append(button("Start", () => act(itemUrl(item.id, "start")), "secondary"));
        actions.append(button("Skip", () => act(itemUrl(item.id, "skip"), {}, "Skip " + item.label + "?"), "secondary"));
      }
      tr.append(actions);
      body.append(tr);
    });
  }

  function renderCompleted() {
    const items = state.projection.items.filter((i) => i.status === "completed" || i.status === "skipped");
    const table = $("hs-done-table");
    const body = table.tBodies[0];
    body.replaceChildren();
    let planned = 0, spent = 0, total = 0, scenes = 0, partial = 0, eighths = 0, setups = 0;
    items.forEach((item) => {
      const done = item.status === "completed";
      const minutes = done ? minutesBetween(item.actual.start, item.actual.end) : 0;
      if (done) {
        planned += item.planned_duration_minutes; spent += minutes; total += item.variance_minutes;
        if (item.kind === "scene") {
          scenes += 1; eighths += item.pages_eighths; setups += item.setups;
          if (item.is_partial) partial += 1;
        }
      }
      const tr = el("tr", { class: item.status });
      const label = el("td", { class: "item" }, item.label);
      if (item.is_partial || !done) { label.append(" "); label.append(badge(item.status, item.is_partial)); }
      tr.append(label,
        el("td", {}, done ? hhmm(item.actual.start) : "—"), el("td", {}, done ? hhmm(item.actual.end) : "—"),
        el("td", {}, item.planned_duration_minutes + " min"), el("td", {}, done ? minutes + " min" : "—"),
        el("td", { class: item.variance_minutes > 0 ? "ahead" : item.variance_minutes < 0 ? "behind" : "" },
          done ? (item.variance_minutes > 0 ? "+" : "") + item.variance_minutes : ""));
      body.append(tr);
    });
    const foot = table.tFoot;
    foot.replaceChildren();
    if (items.length) {
      const tr = el("tr");
      tr.append(el("td", {}, "Total"), el("td"), el("td"), el("td", {}, planned + " min"), el("td", {}, spent + " min"),
        el("td", { class: total > 0 ? "ahead" : total < 0 ? "behind" : "" }, (total > 0 ? "+" : "") + total));
      foot.append(tr);
    } else {
      const empty = el("tr");
      empty.append(el("td", { colSpan: 6, class: "muted" }, "Nothing completed yet."));
      body.append(empty);
    }
    $("hs-done-summary").textContent = scenes
      ? scenes + " scene(s) shot" + (partial ? " (" + partial + " partial)" : "") + " · " + pages(eighths) +
        " pages · " + setups + " setups · " + variance(total)
      : "";
  }

  // --- catch-up suggestions -------------------------------------------------------------
  const WARNINGS = ["meal_penalty_warning", "wrap_extension_warning"];
  function renderSuggestions() {
    const box = $("hs-suggestions");
    box.hidden = !initial.can_view_suggestions || state.session.status !== "in_progress";
    if (box.hidden) return;
    const list = $("hs-suggestion-list");
    list.replaceChildren();
    const rows = state.suggestions || [];
    $("hs-suggestions-empty").hidden = rows.length > 0;
    rows.forEach((sg) => {
      const li = el("li", { class: "hs-suggestion impact-" + sg.impact });
      li.setAttribute("data-suggestion-id", sg.id);
      li.setAttribute("data-type", sg.type);
      const head = el("div", { class: "head" });
      head.append(el("span", { class: "badge impact-" + sg.impact }, sg.impact), el("span", {}, sg.title));
      if (sg.compliance_flag) {
        const c = el("span", { class: "badge compliance" }, "Needs consent");
        c.setAttribute("data-testid", "compliance-badge");
        head.append(c);
      }
      li.append(head);
      const bits = [];
      if (sg.minutes_recoverable > 0) bits.push("recovers " + span(sg.minutes_recoverable));
      if (sg.description) bits.push(sg.description);
      if (bits.length) li.append(el("div", { class: "muted small" }, bits.join(" · ")));
      if (sg.compliance_flag && sg.compliance_warning) {
        li.append(el("div", { class: "hs-compliance" }, sg.compliance_warning));
      }
      if (canAct()) {
        const row = el("div", { class: "buttons" });
        const url = (action) => API + "/suggestions/" + sg.id + "/" + action + "/";
        if (!WARNINGS.includes(sg.type)) {
          let daySelect = null;
          if (sg.type === "scene_move") {
            daySelect = el("select");
            daySelect.setAttribute("aria-label", "Move to day");
            daySelect.append(el("option", { value: "" }, "Pick a day…"));
            (initial.later_days || []).forEach((d) => {
              const o = el("option", { value: String(d.id) }, d.label);
              if (d.id === sg.payload.production_day_id) o.selected = true;
              daySelect.append(o);
            });
            row.append(daySelect);
          }
          row.append(button("Apply", () => {
            const body = {};
            if (daySelect) {
              if (!daySelect.value) { showError("Pick the day to move the scene to."); return; }
              body.production_day = Number(daySelect.value);
            }
            const ask = sg.compliance_flag ? "This needs the crew's consent:\n\n" + sg.compliance_warning + "\n\nApply?" : null;
            act(url("apply"), body, ask);
          }, "", "apply-suggestion"));
        }
        row.append(button("Dismiss", () => act(url("dismiss")), "secondary", "dismiss-suggestion"));
        li.append(row);
      }
      list.append(li);
    });
  }

  function renderTabs() {
    document.querySelectorAll("[role=tab]").forEach((tab) => {
      tab.setAttribute("aria-selected", String(tab.dataset.tab === state.tab));
    });
    document.querySelectorAll("[role=tabpanel]").forEach((panel) => {
      panel.hidden = panel.dataset.panel !== state.tab;
    });
  }

  function render() {
    renderHead();
    renderPrecall();
    renderVariance();
    renderCurrent();
    renderFull();
    renderCompleted();
    renderSuggestions();
    renderTabs();
  }

  // --- data --------------------------------------------------------------------------------
  let refreshTimer = null;
  async function refresh() {
    try {
      const [session, projection, suggestions] = await Promise.all([
        SetdeskApi.get(API + "/sessions/" + sessionId + "/"),
        SetdeskApi.get(API + "/sessions/" + sessionId + "/projection/"),
        initial.can_view_suggestions
          ? SetdeskApi.get(API + "/sessions/" + sessionId + "/suggestions/?page_size=50")
          : Promise.resolve(null),
      ]);
      state.session = session;
      state.projection = projection;
      state.suggestions = suggestions ? suggestions.results : [];
      render();
    } catch (err) {
      showError(err.status === 404 ? "This session no longer exists." : "Could not refresh: " + err.message);
    }
  }
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 150);
  }
  function notify(payload) {
    const box = $("hs-notice");
    box.textContent = payload.message || "Notification";
    box.hidden = false;
  }

  document.querySelectorAll("[role=tab]").forEach((tab) => {
    tab.addEventListener("click", () => { state.tab = tab.dataset.tab; renderTabs(); });
  });
  $("hs-confirm-crew").addEventListener("click", () => act(sessionUrl("confirm-crew-call")));
  $("hs-confirm-shot").addEventListener("click", () => act(sessionUrl("confirm-first-shot")));
  $("hs-start-day").addEventListener("click", () => act(sessionUrl("start")));
  $("hs-wrap").addEventListener("click", () => act(sessionUrl("wrap"), {}, "Wrap the day now?"));

  // --- settings panel (only for those who may read the settings: the page leaves it out) ------
  const settingsForm = $("hs-settings-form");
  // Someone else's save arrives as an event; it must not wipe what this user is typing.
  let settingsDirty = false;
  function fillSettingsFromElsewhere(settings) {
    if (!settingsForm) return;
    if (!settingsDirty) { fillSettings(settings); return; }
    $("hs-settings-status").textContent = "Changed by someone else; saving will replace their values.";
  }
  function fillSettings(settings) {
    settingsDirty = false;
    Array.from(settingsForm.elements).forEach((field) => {
      if (!field.name || !(field.name in settings)) return;
      if (field.type === "checkbox") field.checked = !!settings[field.name];
      else field.value = settings[field.name];
      field.disabled = !initial.can_change_settings;
    });
    $("hs-settings-save").hidden = !initial.can_change_settings;
  }
  async function refetchSettings() {
    try {
      fillSettingsFromElsewhere(await SetdeskApi.get(API + "/projects/" + state.session.project + "/settings/"));
    } catch (err) { /* the next event or reload brings them */ }
  }
  if (settingsForm && initial.settings) {
    settingsForm.addEventListener("input", () => { settingsDirty = true; });
    settingsForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {};
      Array.from(settingsForm.elements).forEach((field) => {
        if (!field.name) return;
        body[field.name] = field.type === "checkbox" ? field.checked : field.type === "number" ? Number(field.value) : field.value;
      });
      const status = $("hs-settings-status");
      try {
        const saved = await SetdeskApi.patch(API + "/projects/" + state.session.project + "/settings/", body);
        fillSettings(saved);
        status.textContent = "Saved.";
      } catch (err) {
        const errors = err.data && err.data.errors ? Object.entries(err.data.errors).map(([k, v]) => k + ": " + v).join("; ") : "";
        status.textContent = "Not saved: " + (errors || err.message);
      }
    });
    fillSettings(initial.settings);
  }

  renderChecklist();
  render();
  if (initial.can_view_suggestions && state.session.status === "in_progress") refresh();
  setInterval(() => { if (!$("hs-precall").hidden) tickCountdown(); }, 1000);
  setInterval(refresh, 60000); // the numbers move with the clock even without events

  const live = window.setdeskLive || SetdeskLive.connect(); // base.html opens the page's socket
  live.subscribe("hotset.session." + sessionId, (event) => {
    if (event.type === "hotset.notification") notify(event.payload);
    if (event.type === "hotset.projection.updated") {
      // Headline numbers arrive in the event; the items follow with a refetch.
      Object.assign(state.projection, event.payload);
    }
    refreshSoon();
  }, refresh);
  // Settings and suggestions have their own groups, open only to those who may read them
  // (subscribing to a group one may not read closes the socket).
  if (settingsForm && initial.settings) {
    live.subscribe("hotset.session-settings." + sessionId, (event) => {
      if (event.type === "hotset.settings.updated") fillSettingsFromElsewhere(event.payload);
    }, refetchSettings);
  }
  if (initial.can_view_suggestions) {
    live.subscribe("hotset.session-suggestions." + sessionId, refreshSoon, refresh);
  }
  window.HotsetDashboard = { state: state, refresh: refresh };
})();
