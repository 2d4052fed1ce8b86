// Hot set dashboard (SPEC §6): Now / Next first, the labour clock, the day on a strip, then
// the schedule. Data comes with the page, then from the API; the page follows
// hotset.session.<id> over /ws/ (and, when allowed, its settings and suggestions groups).
// Every action goes through the offline queue (queue.js): it is shown at once, sent with its
// moment and an Idempotency-Key, and waits for signal when there is none.
// One file, read top to bottom by section (time, queue, Now / Next, labour, strip, cards,
// suggestions, data, controls); the queue and the strip, which stand alone, have their own.
(function () {
  "use strict";

  const root = document.getElementById("hotset");
  const sessionId = root.dataset.sessionId;
  const initial = JSON.parse(document.getElementById("hs-initial").textContent);
  const API = "/api/v1/hotset";
  const SNAPSHOT = "setdesk.hotset.snapshot." + sessionId + "." + initial.user_id;
  const $ = (id) => document.getElementById(id);

  const state = {
    session: initial.session,
    projection: initial.projection,
    suggestions: [],
    canRun: initial.can_run,
    tab: initial.default_view || "current",
    offline: false,
    skewMs: 0, // server clock − this phone's clock, from the last refresh
    showSuggestions: false,
  };
  restoreSnapshot();

  // --- time, in the project's zone -------------------------------------------------------
  const tz = state.projection.timezone || state.session.timezone || "UTC";
  const timeFormat = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  function serverNow() { return Date.now() + state.skewMs; }
  // "+1" after midnight: a 00:30 wrap belongs to the shoot day before it.
  function dayOffset(ms) {
    const days = Math.round((Date.parse(dayFormat.format(new Date(ms))) - Date.parse(state.session.date)) / 86400000);
    return days > 0 ? " +" + days : days < 0 ? " −" + -days : "";
  }
  function timeAt(ms) { return timeFormat.format(new Date(ms)) + dayOffset(ms); }
  function time(iso) { return iso ? timeAt(Date.parse(iso)) : "—"; }
  function clock(seconds) {
    const abs = Math.abs(Math.round(seconds));
    const h = Math.floor(abs / 3600), m = Math.floor((abs % 3600) / 60), s = abs % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
  }
  function span(minutes) {
    const m = Math.abs(Math.round(minutes));
    if (m < 60) return m + " min";
    const h = Math.floor(m / 60), r = m % 60;
    return h + " h" + (r ? " " + String(r).padStart(2, "0") + " min" : "");
  }
  function variance(minutes) {
    if (minutes === null || minutes === undefined) return "—";
    if (minutes === 0) return "on schedule";
    return (minutes > 0 ? "+" : "−") + span(minutes) + (minutes > 0 ? " ahead" : " behind");
  }
  function signedMinutes(minutes) { return minutes > 0 ? "+" + minutes : minutes < 0 ? "−" + -minutes : "0"; }
  function toneOf(minutes) { return minutes > 0 ? "ahead" : minutes < 0 ? "behind" : ""; }
  function pages(eighths) {
    const whole = Math.floor(eighths / 8), rest = eighths % 8;
    return (whole ? whole + (rest ? " " : "") : "") + (rest ? rest + "/8" : whole ? "" : "0");
  }

  // --- DOM helpers -------------------------------------------------------------------------
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k.startsWith("data") || k.startsWith("aria")) node.setAttribute(k, v);
      else node[k] = v;
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function button(text, onClick, cls, testid) {
    const b = el("button", { type: "button", class: cls || "" }, text);
    if (testid) b.setAttribute("data-testid", testid);
    b.addEventListener("click", onClick);
    return b;
  }
  function badge(item, wrapped) {
    const notShot = wrapped && item.status === "pending";
    const cls = item.is_partial ? "partial" : notShot ? "skipped" : item.status;
    const text = item.is_partial ? "partial" : notShot ? (item.kind === "scene" ? "not shot" : "not done") : item.status === "in_progress" ? "shooting" : item.status.replace("_", " ");
    return el("span", { class: "badge st-" + cls }, text);
  }
  function index(projection) {
    const out = {};
    projection.items.forEach((i) => { out[i.id] = i; });
    return out;
  }
  function itemMeta(item) {
    const bits = [];
    if (item.kind === "scene" && (item.int_ext || item.day_night)) {
      bits.push([item.int_ext, item.day_night].filter(Boolean).join(" / ").replace("int_ext", "int/ext").toUpperCase());
    }
    if (item.set_name) bits.push(item.set_name);
    if (item.location) bits.push(item.location);
    if (item.kind === "scene") bits.push(pages(item.pages_eighths) + " pg", item.setups + " setups");
    bits.push(span(item.planned_duration_minutes) + " planned");
    return bits.join(" · ");
  }

  // --- the queue and what the page shows ---------------------------------------------------
  // Sent, but not yet in a refreshed projection: still shown as done (no flicker back).
  const sentAwaiting = [];
  let sending = false;
  const queue = HotsetQueue.create({
    name: "hotset." + sessionId + ".user-" + initial.user_id, // one queue per person on a shared phone
    send: async (entry) => {
      await SetdeskApi.post(entry.url, entry.body, { "Idempotency-Key": entry.key });
      sentAwaiting.push(entry);
    },
    onChange: () => { if (!sending) render(); },
  });
  function view() {
    return HotsetQueue.view(state.session, state.projection, sentAwaiting.concat(queue.entries()));
  }
  function canAct(v) { return state.canRun && v.session.status !== "wrapped"; }

  const LABELS = {
    start: "Start", complete: "Complete", skip: "Skip", "start-day": "Start the day",
    "confirm-crew-call": "Confirm crew call", "confirm-first-shot": "Confirm first shot", wrap: "Wrap", reorder: "Reorder",
  };
  function requestOf(op) {
    const body = { at: op.at };
    if (op.itemId && op.type !== "reorder") {
      if (op.partial) body.partial = true;
      if (op.nextItemId) body.next_item = op.nextItemId;
      return { url: API + "/items/" + op.itemId + "/" + op.type + "/", body: body };
    }
    if (op.type === "reorder") return { url: API + "/sessions/" + sessionId + "/reorder/", body: { item_ids: op.itemIds } };
    const path = op.type === "start-day" ? "start" : op.type;
    return { url: API + "/sessions/" + sessionId + "/" + path + "/", body: body };
  }
  function act(op, confirmText) {
    if (confirmText && !window.confirm(confirmText)) return;
    const ago = Number($("hs-when").value || 0);
    // The moment of the tap on the server's clock, to the second, less "it happened N min ago".
    op.at = new Date(Math.floor((serverNow() - ago * 60000) / 1000) * 1000).toISOString();
    const req = requestOf(op);
    queue.add({ url: req.url, body: req.body, op: op, label: (LABELS[op.type] || op.type) + (op.label ? " " + op.label : "") });
    $("hs-when").value = "0";
    sendQueue();
  }
  // Whether the browser's login is still the one that queued the actions (a shared phone: the
  // next person may sign in while this tab is open; their session must not send these).
  async function sameLogin() {
    try {
      const me = await SetdeskApi.get("/api/v1/auth/me/");
      state.otherLogin = me.id !== initial.user_id;
    } catch (err) {
      state.otherLogin = err.status === 401 || err.status === 403 ? false : state.otherLogin;
      if (err.status === undefined) state.offline = true;
      return err.status !== undefined && !state.otherLogin;
    }
    return !state.otherLogin;
  }
  async function sendQueue() {
    if (sending) return;
    sending = true;
    let sent = 0, flushed = false;
    try {
      if (queue.entries().length && await sameLogin()) { sent = await queue.flush(); flushed = true; }
    } finally { sending = false; }
    if (flushed) state.offline = queue.stoppedBy === "offline";
    render();
    if (sent) await refresh();
  }
  // Suggestions need the server's current view of the day: online only, never queued.
  async function direct(url, body, confirmText) {
    if (confirmText && !window.confirm(confirmText)) return;
    const key = window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
    try {
      await SetdeskApi.post(url, body || {}, { "Idempotency-Key": key });
      showError("");
      await refresh();
    } catch (err) {
      showError(err.status === undefined ? "No signal: suggestions need the server. Try again when online." : err.message || "The action failed.");
    }
  }
  function showError(message) {
    const box = $("hs-error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  // --- Now / Next ----------------------------------------------------------------------------
  function renderHead(v) {
    const s = v.session;
    const status = $("hs-status");
    status.textContent = s.status.replace("_", " ");
    status.className = "badge st-" + s.status;
    $("hs-sub").textContent = [
      s.date, "call " + time(s.general_call_time), s.location, s.auto_started ? "auto-started" : "",
    ].filter(Boolean).join(" · ");
    const run = $("hs-run-actions");
    run.hidden = !state.canRun || s.status === "wrapped";
    $("hs-start-day").hidden = s.status !== "not_started";
    $("hs-wrap").hidden = s.status !== "in_progress";
  }

  function renderNow(v) {
    const s = v.session, p = v.projection, byId = index(p);
    const card = $("hs-current");
    card.replaceChildren();
    const current = byId[p.current_item_id];
    const next = byId[p.next_item_id] && byId[p.next_item_id].status === "pending" ? byId[p.next_item_id] : null;
    const nextLine = $("hs-next-line");
    nextLine.replaceChildren();
    nextLine.hidden = true;
    if (s.status === "wrapped") {
      card.dataset.state = "wrapped";
      card.append(el("div", { class: "hs-kicker" }, "Wrapped"),
        el("div", { class: "hs-label" }, "That's a wrap at " + time(s.wrapped_at)));
      const scenes = p.items.filter((i) => i.kind === "scene");
      const shot = scenes.filter((i) => i.status === "completed");
      const notShot = scenes.length - shot.length;
      card.append(el("div", { class: "muted" }, shot.length + " of " + scenes.length + " scenes shot" +
        (shot.some((i) => i.is_partial) ? " (" + shot.filter((i) => i.is_partial).length + " partial)" : "") +
        (notShot ? " · " + notShot + " not shot" : "")));
      return;
    }
    if (current) {
      card.dataset.state = "running";
      card.append(el("div", { class: "hs-kicker" }, "Now · since " + time(current.actual.start)),
        el("div", { class: "hs-label" }, current.label),
        el("div", { class: "muted small" }, itemMeta(current)));
      const remaining = el("div", { class: "hs-remaining", id: "hs-remaining", "data-testid": "remaining" });
      remaining.dataset.end = String(Date.parse(current.actual.start) + current.planned_duration_minutes * 60000);
      remaining.dataset.planned = String(current.planned_duration_minutes * 60);
      card.append(remaining, el("div", { class: "muted small" },
        "planned " + span(current.planned_duration_minutes) + " · ends " + time(new Date(Number(remaining.dataset.end)).toISOString())));
      if (canAct(v)) {
        const row = el("div", { class: "hs-buttons" });
        if (next) {
          row.append(button("Done · start " + next.label, () =>
            act({ type: "complete", itemId: current.id, nextItemId: next.id, label: current.label + " → " + next.label }),
          "primary wide", "complete-and-next"));
        }
        row.append(button("Complete", () => act({ type: "complete", itemId: current.id, label: current.label }),
          next ? "secondary" : "", "complete-current"));
        if (current.kind === "scene") {
          row.append(button("Partial", () => act({ type: "complete", itemId: current.id, partial: true, label: current.label + " (partial)" }), "secondary", "complete-partial"));
        }
        card.append(row);
      }
      if (next) {
        nextLine.hidden = false;
        nextLine.append(el("span", { class: "hs-kicker" }, "Next"), el("strong", {}, next.label),
          el("span", { class: "muted" }, " · " + span(next.planned_duration_minutes) + " · ~" + time(next.projected.start)));
      }
    } else {
      card.dataset.state = "idle";
      card.append(el("div", { class: "hs-kicker" }, "Nothing in progress"),
        el("div", { class: "hs-label" }, next ? "Next: " + next.label : "No pending items"));
      if (next) card.append(el("div", { class: "muted small" }, itemMeta(next) + " · planned " + time(next.planned.start)));
      if (s.status === "not_started" && s.general_call_time) {
        // Before the day: the crew call is what counts down.
        const toCall = el("div", { class: "hs-remaining", "data-testid": "call-countdown" });
        toCall.append(el("span", { class: "hs-clock-unit" }, "Crew call " + time(s.general_call_time) + " · "),
          countdownTo(s.general_call_time, "in ", " ago"));
        toCall.lastChild.className = "hs-clock hs-clock-small";
        card.append(toCall);
      }
      if (next && canAct(v) && s.status === "in_progress") {
        const row = el("div", { class: "hs-buttons" });
        row.append(button("Start " + next.label, () => act({ type: "start", itemId: next.id, label: next.label }), "primary wide", "start-next"));
        card.append(row);
      }
    }
  }

  function renderDay(v) {
    const p = v.projection, s = v.session;
    const fig = $("hs-day-figure");
    fig.className = "hs-day-figure " + toneOf(p.wrap_variance_minutes);
    // Once wrapped the figure is final: how the wrap landed against the plan, not a forecast.
    fig.textContent = (s.status === "wrapped" ? "Final " : "") + variance(p.wrap_variance_minutes);
    const target = p.extended_wrap ? "extended to " + time(p.extended_wrap) + " (planned " + time(p.planned_wrap) + ")" : "planned " + time(p.planned_wrap);
    $("hs-day-wrap").textContent = s.status === "wrapped"
      ? "wrapped " + time(s.wrapped_at) + " · " + target
      : "wrap ~" + time(p.projected_wrap) + " · " + target;
    $("hs-when-row").hidden = !canAct(v) || s.status === "not_started" && !v.projection.current_item_id;
  }

  function renderVarianceDetail(v) {
    const p = v.projection;
    const cum = $("hs-cumulative"), dev = $("hs-deviation");
    cum.textContent = variance(p.cumulative_variance_minutes);
    cum.className = "big " + toneOf(p.cumulative_variance_minutes);
    dev.textContent = variance(p.realtime_deviation_minutes);
    dev.className = "big " + toneOf(p.realtime_deviation_minutes);
    const byId = index(p);
    const current = byId[p.current_item_id], expected = byId[p.expected_item_id];
    let where = p.schedule_position ? "Schedule position " + time(p.schedule_position) : "";
    if (p.realtime_deviation_minutes < 0 && expected && (!current || expected.id !== current.id)) {
      where += " · expected " + expected.label + (current ? ", still on " + current.label : "");
    }
    $("hs-position").textContent = where;
    $("hs-projected-wrap").textContent = $("hs-full-wrap").textContent = time(p.projected_wrap);
    const planned = "planned " + time(p.planned_wrap) + " (" + variance(p.wrap_variance_minutes) + ")";
    $("hs-planned-wrap").textContent = $("hs-full-planned").textContent = planned;
  }

  // --- labour clock (the projection's labour block) -------------------------------------------
  function tile(title, value, sub, level, testid) {
    const box = el("div", { class: "hs-tile", "data-level": level || "normal", "data-testid": testid });
    box.append(el("div", { class: "hs-tile-title" }, title), el("div", { class: "hs-tile-value" }, value));
    if (sub) box.append(sub instanceof Node ? sub : el("div", { class: "hs-tile-sub" }, sub));
    return box;
  }
  function countdownTo(iso, before, after) {
    const node = el("div", { class: "hs-tile-sub" });
    node.dataset.countdown = String(Date.parse(iso));
    node.dataset.before = before;
    node.dataset.after = after;
    return node;
  }
  function renderLabour(v) {
    const box = $("hs-labour"), L = v.projection.labour, s = v.session;
    box.hidden = !L;
    if (!L) return;
    box.replaceChildren();
    const now = serverNow(), wrapped = s.status === "wrapped";
    const penalties = L.projected_meal_penalties;
    if (wrapped) {
      box.append(tile("Meal penalties", String(penalties), penalties ? "incurred today" : "none", penalties ? "danger" : "normal", "labour-penalties"));
    } else {
      const due = Date.parse(L.meal_due_at), penaltyAt = Date.parse(L.meal_penalty_at);
      box.append(tile("Meal " + L.meal_number + " due", time(L.meal_due_at), countdownTo(L.meal_due_at, "in ", " ago"),
        now >= due ? "warning" : due - now <= 30 * 60000 ? "warning" : "normal", "labour-meal"));
      box.append(tile("Penalty clock", now >= penaltyAt ? "running" : time(L.meal_penalty_at),
        penalties ? el("div", { class: "hs-tile-sub" }, penalties + " penalt" + (penalties === 1 ? "y" : "ies") + " projected")
          : countdownTo(L.meal_penalty_at, "starts in ", " since"),
        now >= penaltyAt || penalties ? "danger" : penaltyAt - now <= 15 * 60000 ? "warning" : "normal", "labour-penalty"));
    }
    const length = L.day_length_minutes, max = L.max_day_minutes;
    const dayTile = tile(wrapped ? "Day length" : "Day length (projected)", span(length) + " of " + span(max), null,
      length > max ? "danger" : length > max - 60 ? "warning" : "normal", "labour-day");
    const meter = el("div", { class: "hs-meter", role: "meter", "aria-valuemin": "0", "aria-valuemax": String(max), "aria-valuenow": String(Math.min(length, max)), "aria-label": "Day length against the maximum" });
    meter.append(el("span", { style: "" }));
    meter.firstChild.style.width = Math.min(100, Math.round((100 * length) / Math.max(1, max))) + "%";
    dayTile.append(meter, el("div", { class: "hs-tile-sub" }, length > max ? span(length - max) + " over the maximum" : "max at " + time(L.max_day_at)));
    box.append(dayTile);
    const t = L.turnaround;
    box.append(t
      ? tile("Turnaround", span(t.rest_minutes), t.short_by_minutes ? "short by " + span(t.short_by_minutes) + " · next call " + time(t.next_call)
        : "to next call " + time(t.next_call), t.short_by_minutes ? "danger" : "normal", "labour-turnaround")
      : tile("Turnaround", "—", "no later shoot day yet", "normal", "labour-turnaround"));
    tickCountdowns();
  }

  // --- the strip ---------------------------------------------------------------------------------
  function renderStrip(v) {
    const p = v.projection, s = v.session;
    const container = $("hs-strip");
    if (!p.items.length) { container.replaceChildren(el("p", { class: "muted" }, "No schedule yet.")); return; }
    const times = [];
    const add = (iso) => { if (iso) times.push(Date.parse(iso)); };
    add(s.general_call_time); add(p.planned_wrap); add(p.projected_wrap); add(s.wrapped_at);
    p.items.forEach((i) => { add(i.planned.start); add(i.planned.end); add(i.actual.start); add(i.actual.end); add(i.projected.end); });
    const now = serverNow();
    const start = Math.min.apply(null, times), end = Math.max(start + 3600000, Math.max.apply(null, times));
    HotsetStrip.render(container, {
      items: p.items, wrapped: s.status === "wrapped", now: s.status === "wrapped" ? end + 1 : now, start: start, end: end, label: (ms) => timeAt(ms),
      summary: "The day from " + timeAt(start) + " to " + timeAt(end) + ": planned, actual and projected",
      title: (item) => item.label + " · planned " + time(item.planned.start) + "–" + time(item.planned.end) +
        (item.actual.start ? " · actual " + time(item.actual.start) + "–" + (item.actual.end ? time(item.actual.end) : "now") : "") +
        (item.status === "pending" ? " · projected " + time(item.projected.start) + "–" + time(item.projected.end) : ""),
    });
  }

  // --- pre-call ------------------------------------------------------------------------------------
  function renderPrecall(v) {
    const s = v.session;
    const box = $("hs-precall");
    box.hidden = s.status === "wrapped" || !!s.first_shot_confirmed_at;
    if (box.hidden) return;
    tickPrecall();
    const crew = $("hs-confirm-crew"), shot = $("hs-confirm-shot");
    crew.hidden = shot.hidden = !state.canRun;
    crew.disabled = !!s.crew_call_confirmed_at;
    shot.disabled = !s.crew_call_confirmed_at;
    $("hs-confirmed").textContent = s.crew_call_confirmed_at
      ? "Crew call confirmed at " + time(s.crew_call_confirmed_at) + (s.crew_call_confirmed_by ? " by " + s.crew_call_confirmed_by : "")
      : "";
  }
  function tickPrecall() {
    const s = state.session;
    if (!s.general_call_time || $("hs-precall").hidden) return;
    const diff = Math.round((Date.parse(s.general_call_time) - serverNow()) / 1000);
    const abs = Math.abs(diff);
    const text = [Math.floor(abs / 3600), Math.floor((abs % 3600) / 60), abs % 60].map((n) => String(n).padStart(2, "0")).join(":");
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

  // --- schedule cards (Up next, Full day) ------------------------------------------------------
  function pendingIds(p) { return p.items.filter((i) => i.status === "pending").map((i) => i.id); }
  function moved(p, id, step) {
    // Swap with the nearest pending neighbour: started, done and skipped items keep their places.
    const ids = p.items.map((i) => i.id), pend = pendingIds(p);
    const at = pend.indexOf(id), other = pend[at + step];
    if (other === undefined) return null;
    const a = ids.indexOf(id), b = ids.indexOf(other);
    ids[a] = other; ids[b] = id;
    return ids;
  }
  function itemCard(item, number, v, options) {
    const p = v.projection;
    const li = el("li", { class: "hs-item st-" + item.status + (item.id === p.current_item_id ? " active" : "") +
      (item.id === p.expected_item_id ? " expected" : "") + " strip-" + HotsetStrip.kindOf(item) });
    li.setAttribute("data-item-id", item.id);
    const head = el("div", { class: "hs-item-head" });
    head.append(el("span", { class: "hs-num" }, String(number)), el("strong", { class: "hs-item-label" }, item.label),
      badge(item, v.session.status === "wrapped"));
    if (item.variance_minutes !== null && item.status === "completed") {
      head.append(el("span", { class: "hs-var " + toneOf(item.variance_minutes), title: "planned − actual (min)" }, signedMinutes(item.variance_minutes)));
    }
    li.append(head, el("div", { class: "muted small" }, itemMeta(item)));
    const times = el("dl", { class: "hs-times" });
    const pair = (name, text) => { times.append(el("dt", {}, name), el("dd", {}, text)); };
    pair("Planned", time(item.planned.start) + "–" + time(item.planned.end));
    const live = v.session.status !== "wrapped" && (item.status === "pending" || item.status === "in_progress");
    if (live) pair("Projected", time(item.projected.start) + "–" + time(item.projected.end));
    if (item.actual.start) pair("Actual", time(item.actual.start) + "–" + (item.actual.end ? time(item.actual.end) : "…"));
    li.append(times);
    if (canAct(v) && item.status === "pending") {
      const row = el("div", { class: "hs-buttons" });
      if (!p.current_item_id && v.session.status === "in_progress") {
        row.append(button("Start", () => act({ type: "start", itemId: item.id, label: item.label }), "secondary"));
      }
      row.append(button("Skip", () => act({ type: "skip", itemId: item.id, label: item.label }, "Skip " + item.label + "?"), "secondary"));
      if (options.reorder) {
        [[-1, "↑", "earlier"], [1, "↓", "later"]].forEach(([step, arrow, word]) => {
          const ids = moved(p, item.id, step);
          const b = button(arrow, () => act({ type: "reorder", itemIds: ids, label: item.label + " " + word }), "secondary square");
          b.setAttribute("aria-label", "Move " + item.label + " " + word);
          b.disabled = !ids;
          row.append(b);
        });
      }
      li.append(row);
    }
    return li;
  }
  function renderLists(v) {
    const p = v.projection;
    const next = $("hs-next");
    next.replaceChildren();
    const numbers = {};
    p.items.forEach((item, i) => { numbers[item.id] = i + 1; });
    const wrapped = v.session.status === "wrapped";
    const upcoming = wrapped ? [] : p.items.filter((i) => i.status === "pending").slice(0, 3);
    upcoming.forEach((item) => next.append(itemCard(item, numbers[item.id], v, { reorder: false })));
    if (!upcoming.length) next.append(el("li", { class: "muted" }, wrapped ? "The day is wrapped." : "Nothing left to shoot."));
    const full = $("hs-full-list");
    full.replaceChildren();
    p.items.forEach((item) => full.append(itemCard(item, numbers[item.id], v, { reorder: true })));
  }

  function renderCompleted(v) {
    const items = v.projection.items.filter((i) => i.status === "completed" || i.status === "skipped");
    const table = $("hs-done-table");
    const body = table.tBodies[0];
    body.replaceChildren();
    let planned = 0, spent = 0, total = 0, scenes = 0, partial = 0, eighths = 0, setups = 0;
    items.forEach((item) => {
      const done = item.status === "completed";
      const minutes = done ? Math.round((Date.parse(item.actual.end) - Date.parse(item.actual.start)) / 60000) : 0;
      if (done) {
        planned += item.planned_duration_minutes; spent += minutes; total += item.variance_minutes;
        if (item.kind === "scene") {
          scenes += 1; eighths += item.pages_eighths; setups += item.setups;
          if (item.is_partial) partial += 1;
        }
      }
      const tr = el("tr", { class: item.status });
      const label = el("td", { class: "item" }, item.label);
      if (item.is_partial || !done) { label.append(" "); label.append(badge(item)); }
      tr.append(label,
        el("td", {}, done ? time(item.actual.start) + "–" + time(item.actual.end) : "—"),
        el("td", {}, (done ? minutes : "—") + " / " + item.planned_duration_minutes + " min"),
        el("td", { class: done ? toneOf(item.variance_minutes) : "" }, done ? signedMinutes(item.variance_minutes) : ""));
      body.append(tr);
    });
    const foot = table.tFoot;
    foot.replaceChildren();
    if (items.length) {
      const tr = el("tr");
      tr.append(el("td", {}, "Total"), el("td"), el("td", {}, spent + " / " + planned + " min"),
        el("td", { class: toneOf(total) }, signedMinutes(total)));
      foot.append(tr);
    } else {
      const empty = el("tr");
      empty.append(el("td", { colSpan: 4, class: "muted" }, "Nothing completed yet."));
      body.append(empty);
    }
    $("hs-done-summary").textContent = scenes
      ? scenes + " scene(s) shot" + (partial ? " (" + partial + " partial)" : "") + " · " + pages(eighths) +
        " pages · " + setups + " setups · " + variance(total)
      : "";
  }

  // --- catch-up suggestions (folded into a count) ----------------------------------------------
  const WARNINGS = ["meal_penalty_warning", "wrap_extension_warning", "turnaround_warning"];
  function renderSuggestions(v) {
    const can = initial.can_view_suggestions && v.session.status === "in_progress";
    const rows = state.suggestions || [];
    const toggle = $("hs-suggestions-toggle");
    toggle.hidden = !can;
    const high = rows.filter((r) => r.impact === "high").length;
    toggle.textContent = rows.length
      ? rows.length + " catch-up suggestion" + (rows.length === 1 ? "" : "s") + (high ? " · " + high + " high" : "")
      : "No catch-up suggestions";
    toggle.classList.toggle("alert", high > 0);
    toggle.setAttribute("aria-expanded", String(state.showSuggestions));
    const box = $("hs-suggestions");
    box.hidden = !can || !state.showSuggestions;
    if (box.hidden) return;
    const list = $("hs-suggestion-list");
    list.replaceChildren();
    $("hs-suggestions-empty").hidden = rows.length > 0;
    rows.forEach((sg) => list.append(suggestionCard(sg, v)));
  }
  function suggestionCard(sg, v) {
    const li = el("li", { class: "hs-suggestion impact-" + sg.impact });
    li.setAttribute("data-suggestion-id", sg.id);
    li.setAttribute("data-type", sg.type);
    const head = el("div", { class: "head" });
    head.append(el("span", { class: "badge impact-" + sg.impact }, sg.impact), el("span", {}, sg.title));
    if (sg.compliance_flag) head.append(el("span", { class: "badge compliance", "data-testid": "compliance-badge" }, "Needs consent"));
    li.append(head);
    const bits = [];
    if (sg.minutes_recoverable > 0) bits.push("recovers " + span(sg.minutes_recoverable));
    if (sg.description) bits.push(sg.description);
    if (bits.length) li.append(el("div", { class: "muted small" }, bits.join(" · ")));
    if (sg.compliance_flag && sg.compliance_warning) li.append(el("div", { class: "hs-compliance" }, sg.compliance_warning));
    if (!canAct(v)) return li;
    const row = el("div", { class: "hs-buttons" });
    const url = (action) => API + "/suggestions/" + sg.id + "/" + action + "/";
    if (!WARNINGS.includes(sg.type)) {
      let daySelect = null;
      if (sg.type === "scene_move") {
        daySelect = el("select", { "aria-label": "Move to day" });
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
        direct(url("apply"), body, sg.compliance_flag ? "This needs the crew's consent:\n\n" + sg.compliance_warning + "\n\nApply?" : null);
      }, "", "apply-suggestion"));
    }
    row.append(button("Dismiss", () => direct(url("dismiss")), "secondary", "dismiss-suggestion"));
    li.append(row);
    return li;
  }

  // --- the queue panel -----------------------------------------------------------------------------
  function renderQueue() {
    const entries = queue.entries(), refused = queue.refused();
    const chip = $("hs-queue-chip");
    chip.hidden = !entries.length && !state.offline;
    chip.textContent = entries.length ? entries.length + " waiting" : "Offline";
    chip.classList.toggle("alert", entries.length > 0);
    const panel = $("hs-queue");
    panel.hidden = !entries.length && !refused.length && !state.offline;
    const stopped = state.otherLogin ? "other" : queue.stoppedBy;
    $("hs-queue-head").textContent = !entries.length
      ? (state.offline ? "No signal: showing the day as last seen" + (state.projection.at ? " at " + time(state.projection.at) : "") + ". Actions you take are kept and sent when the signal is back." : "")
      : entries.length + " waiting · " + (stopped === "other" ? "someone else has signed in on this browser: they stay here, unsent, until the person who made them signs in again."
        : stopped === "login" ? "your login has expired: sign in again (in another tab) to send them."
        : stopped === "server" ? "the server is not answering; retrying." : state.offline || stopped === "offline"
          ? "no signal; they go out in order when it is back." : "sending…");
    const list = $("hs-queue-list");
    list.replaceChildren();
    entries.forEach((e) => list.append(el("li", {}, e.label + " · " + time(e.op.at))));
    const refusedList = $("hs-refused");
    refusedList.replaceChildren();
    refused.forEach((r) => {
      const li = el("li", { class: "hs-refused-item" });
      li.append(el("div", {}, "Not done: " + r.label + " (" + time(r.op.at) + ") — " + r.reason));
      li.append(button("OK", () => queue.forgetRefused(r.key), "secondary", "forget-refused"));
      refusedList.append(li);
    });
  }

  function renderTabs() {
    document.querySelectorAll("[role=tab]").forEach((tab) => {
      const selected = tab.dataset.tab === state.tab;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    });
    document.querySelectorAll("[role=tabpanel]").forEach((panel) => { panel.hidden = panel.dataset.panel !== state.tab; });
  }

  function render() {
    const v = view();
    renderHead(v);
    renderNow(v);
    renderDay(v);
    renderQueue();
    renderPrecall(v);
    renderLabour(v);
    renderStrip(v);
    renderVarianceDetail(v);
    renderLists(v);
    renderCompleted(v);
    renderSuggestions(v);
    renderTabs();
    tick();
  }

  // --- the seconds -------------------------------------------------------------------------------------
  function tickCountdowns() {
    const now = serverNow();
    document.querySelectorAll("[data-countdown]").forEach((node) => {
      const diff = (Number(node.dataset.countdown) - now) / 1000;
      node.textContent = diff >= 0 ? node.dataset.before + clock(diff) : clock(-diff) + node.dataset.after;
    });
  }
  function tick() {
    const box = $("hs-remaining");
    if (box) {
      const left = (Number(box.dataset.end) - serverNow()) / 1000;
      const planned = Number(box.dataset.planned);
      box.dataset.level = left < 0 ? "over" : left <= Math.max(60, Math.min(300, planned * 0.2)) ? "warning" : "normal";
      box.replaceChildren(el("span", { class: "hs-clock" }, (left < 0 ? "+" : "") + clock(left)),
        el("span", { class: "hs-clock-unit" }, left < 0 ? " over" : " left"));
    }
    tickPrecall();
    tickCountdowns();
  }

  // --- data ---------------------------------------------------------------------------------------------
  function restoreSnapshot() {
    // A page served from the phone's cache carries the data of its last load; the last refresh
    // kept in the browser may be newer.
    try {
      const snap = JSON.parse(localStorage.getItem(SNAPSHOT) || "null");
      if (snap && snap.projection && state.projection.at && Date.parse(snap.projection.at) > Date.parse(state.projection.at)) {
        state.session = snap.session; state.projection = snap.projection; state.suggestions = snap.suggestions || [];
      }
    } catch (e) { /* a broken snapshot is ignored */ }
  }
  let refreshTimer = null;
  async function refresh() {
    const started = Date.now(), cut = sentAwaiting.length;
    try {
      const [session, projection, suggestions] = await Promise.all([
        SetdeskApi.get(API + "/sessions/" + sessionId + "/"),
        SetdeskApi.get(API + "/sessions/" + sessionId + "/projection/"),
        initial.can_view_suggestions ? SetdeskApi.get(API + "/sessions/" + sessionId + "/suggestions/?page_size=50") : Promise.resolve(null),
      ]);
      if (projection.at) state.skewMs = Date.parse(projection.at) - (started + Date.now()) / 2;
      state.session = session;
      state.projection = projection;
      state.suggestions = suggestions ? suggestions.results : [];
      state.offline = false;
      sentAwaiting.splice(0, cut);
      try { localStorage.setItem(SNAPSHOT, JSON.stringify({ session: session, projection: projection, suggestions: state.suggestions })); } catch (e) { /* full */ }
      if ($("hs-error").textContent.startsWith("Could not refresh")) showError("");
      render();
      if (queue.entries().length) sendQueue();
    } catch (err) {
      if (err.status === undefined) { state.offline = true; render(); return; }
      if (err.status === 409 && err.data) {
        // A stored time out of range: the server names what to correct (as the page did).
        const problems = err.data.errors ? Object.values(err.data.errors).flat() : [];
        showError([err.data.detail].concat(problems).join(" "));
        return;
      }
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

  // --- controls ------------------------------------------------------------------------------------------
  const tabs = Array.from(document.querySelectorAll("[role=tab]"));
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => { state.tab = tab.dataset.tab; renderTabs(); });
    tab.addEventListener("keydown", (event) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const target = tabs[(to + tabs.length) % tabs.length];
      state.tab = target.dataset.tab;
      renderTabs();
      target.focus();
    });
  });
  $("hs-suggestions-toggle").addEventListener("click", () => {
    state.showSuggestions = !state.showSuggestions;
    renderSuggestions(view());
    if (state.showSuggestions) $("hs-suggestions").scrollIntoView({ block: "nearest" });
  });
  $("hs-queue-chip").addEventListener("click", () => $("hs-queue").scrollIntoView({ block: "nearest" }));
  $("hs-confirm-crew").addEventListener("click", () => act({ type: "confirm-crew-call" }));
  $("hs-confirm-shot").addEventListener("click", () => act({ type: "confirm-first-shot" }));
  $("hs-start-day").addEventListener("click", () => act({ type: "start-day" }));
  $("hs-wrap").addEventListener("click", () => act({ type: "wrap" }, "Wrap the day now? Anything in progress is completed and the day is closed."));

  // --- settings panel (only for those who may read the settings: the page leaves it out) ------------------
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

  // --- start ---------------------------------------------------------------------------------------------
  HotsetStrip.legend($("hs-legend"));
  renderChecklist();
  render();
  refresh();
  setInterval(tick, 1000);
  setInterval(refresh, 60000); // the numbers move with the clock even without events
  setInterval(() => { if (queue.entries().length) sendQueue(); }, 10000);
  window.addEventListener("online", () => { sendQueue(); refresh(); });
  window.addEventListener("offline", () => { state.offline = true; render(); });
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => renderStrip(view()), 150); });
  setInterval(() => renderStrip(view()), 30000); // the now-line moves

  // A service worker keeps this page (and its scripts) loadable without signal.
  if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
    navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: root.dataset.serviceWorker.replace(/[^/]*$/, "") })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        if (navigator.serviceWorker.controller || !registration.active) return;
        // Loaded before the worker ran: hand it this page and its files to keep.
        const assets = Array.from(document.querySelectorAll("script[src], link[rel=stylesheet]")).map((n) => n.src || n.href);
        registration.active.postMessage({ type: "keep", urls: [location.href].concat(assets) });
      })
      .catch(() => { /* no service worker: the page still works online */ });
  }

  const live = window.setdeskLive || SetdeskLive.connect(); // base.html opens the page's socket
  live.subscribe("hotset.session." + sessionId, (event) => {
    if (event.type === "hotset.notification") notify(event.payload);
    if (event.type === "hotset.projection.updated") Object.assign(state.projection, event.payload);
    refreshSoon();
  }, refresh);
  // Settings and suggestions have their own groups, open only to those who may read them
  // (subscribing to a group one may not read closes the socket).
  if (settingsForm && initial.settings) {
    live.subscribe("hotset.session-settings." + sessionId, (event) => {
      if (event.type === "hotset.settings.updated") fillSettingsFromElsewhere(event.payload);
    }, refetchSettings);
  }
  if (initial.can_view_suggestions) live.subscribe("hotset.session-suggestions." + sessionId, refreshSoon, refresh);
  window.HotsetDashboard = { state: state, refresh: refresh, queue: queue, view: view };
})();
