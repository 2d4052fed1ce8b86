// Run-of-show dashboard: the rundown with the user's columns, the live segment highlighted
// for every viewer (events of runofshow.session.<id> over SetdeskLive), the show's timing,
// and the show caller's activate / complete buttons. All numbers come from the server
// (GET …/state/); the page only ticks the live segment's clock between refreshes.
(function () {
  "use strict";

  const initial = JSON.parse(document.getElementById("ros-initial").textContent);
  const sessionId = initial.session.id;
  const API = "/api/v1/runofshow";
  const GROUP = "runofshow.session." + sessionId;
  const STATE_REFRESH_MS = 5000;
  const labels = {};
  initial.allowed_columns.forEach(function (c) { labels[c.name] = c.label; });
  const allowed = initial.allowed_columns.map(function (c) { return c.name; });

  let columns = initial.columns.slice();
  let segments = initial.segments;
  let state = initial.state;
  let activeId = state.active_segment ? state.active_segment.id : null;
  let busy = false;
  let generation = 0; // a refresh older than the latest event is dropped
  // Server clock minus browser clock, so the live clock ticks in server time.
  let skewMs = Date.parse(state.timing.now) - Date.now();

  const tz = initial.session.timezone;
  const timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: "2-digit", minute: "2-digit" });
  const stampFormat = new Intl.DateTimeFormat(undefined, {
    timeZone: tz, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });

  const $ = function (id) { return document.getElementById(id); };

  function time(iso) { return iso ? timeFormat.format(new Date(iso)) : "—"; }
  function stamp(iso) { return iso ? stampFormat.format(new Date(iso)) : "—"; }
  function clock(seconds) {
    const abs = Math.abs(Math.round(seconds));
    const h = Math.floor(abs / 3600), m = Math.floor((abs % 3600) / 60), s = abs % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }
  function signed(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (Math.round(seconds) === 0) return "±0:00";
    return (seconds > 0 ? "+" : "−") + clock(seconds);
  }
  function serverNow() { return Date.now() + skewMs; }

  function timingOf(id) {
    return (state.timing.segments || []).find(function (t) { return t.id === id; }) || null;
  }
  function segmentOf(id) {
    return segments.find(function (s) { return s.id === id; }) || null;
  }

  // Over/under of a segment in seconds (the live one ticks locally from its actual start).
  function overUnder(segment) {
    if (segment.id === activeId) {
      const start = segment.actual_start || (state.active_segment && state.active_segment.actual_start);
      if (!start) return null;
      const elapsed = (serverNow() - Date.parse(start)) / 1000;
      return Math.max(0, elapsed - segment.duration * 60);
    }
    const t = timingOf(segment.id);
    return t ? t.over_under_seconds : null;
  }

  function cellText(segment, column) {
    switch (column) {
      case "start_time": return time(segment.start_time);
      case "end_time": return time(segment.end_time);
      case "duration": return String(segment.duration);
      case "updated_at": return stamp(segment.updated_at);
      case "created_by": return segment.created_by || "—";
      case "notes": return segment.notes || "";
      default: return segment[column] === null || segment[column] === undefined ? "" : String(segment[column]);
    }
  }

  function statusOf(segment) {
    if (segment.id === activeId) return "in_progress";
    return segment.status === "in_progress" ? "pending" : segment.status;
  }

  function renderTable() {
    const head = document.createElement("tr");
    columns.concat(["over_under"]).forEach(function (column) {
      const th = document.createElement("th");
      th.scope = "col";
      th.dataset.column = column;
      th.textContent = column === "over_under" ? "Over/under" : labels[column];
      head.appendChild(th);
    });
    if (initial.can_call) head.appendChild(document.createElement("th"));
    const thead = $("ros-table").tHead;
    thead.replaceChildren(head);

    const rows = segments.map(function (segment) {
      const tr = document.createElement("tr");
      const status = statusOf(segment);
      tr.dataset.segmentId = segment.id;
      tr.className = status === "in_progress" ? "active" : status;
      if (status === "in_progress") tr.setAttribute("aria-current", "true");
      columns.forEach(function (column) {
        const td = document.createElement("td");
        td.className = column;
        if (column === "status") {
          const badge = document.createElement("span");
          badge.className = "badge " + status;
          badge.textContent = status === "in_progress" ? "live" : status;
          td.appendChild(badge);
        } else {
          td.textContent = cellText(segment, column);
        }
        tr.appendChild(td);
      });
      const ou = document.createElement("td");
      const value = overUnder(segment);
      ou.className = "over-under" + (value > 0 ? " over" : value < 0 ? " under" : "");
      ou.textContent = signed(value);
      tr.appendChild(ou);
      if (initial.can_call) {
        const td = document.createElement("td");
        td.className = "actions";
        const button = document.createElement("button");
        button.type = "button";
        if (status === "in_progress") {
          button.textContent = "Complete";
          button.className = "secondary";
          button.dataset.action = "complete";
        } else {
          button.textContent = "Go";
          button.dataset.action = "activate";
        }
        button.dataset.segmentId = segment.id;
        button.disabled = busy;
        td.appendChild(button);
        tr.appendChild(td);
      }
      return tr;
    });
    $("ros-table").tBodies[0].replaceChildren.apply($("ros-table").tBodies[0], rows);
  }

  function renderSummary() {
    const t = state.timing;
    const offset = $("ros-offset");
    offset.dataset.state = t.ahead_behind;
    $("ros-offset-value").textContent = signed(t.offset_seconds);
    $("ros-offset-label").textContent = { behind: "behind", ahead: "ahead", on_time: "on time" }[t.ahead_behind];
    $("ros-expected-end").textContent = time(t.expected_end);
    $("ros-planned-end").textContent = time(t.planned_end);
    const next = t.next_segment_id ? segmentOf(t.next_segment_id) : null;
    $("ros-next").textContent = next ? next.name + " (" + time(next.start_time) + ")" : "—";
    const live = activeId ? segmentOf(activeId) : null;
    $("ros-live-name").textContent = live ? live.name : "Nothing live";
    $("ros-live-planned").textContent = live ? "of " + live.duration + ":00" : "";
    $("ros-live-by").textContent = live && state.updated_by_username ? "called by " + state.updated_by_username : "";
    const nextButton = $("ros-next-button");
    if (nextButton) nextButton.disabled = busy || !t.next_segment_id;
    const completeButton = $("ros-complete-button");
    if (completeButton) completeButton.disabled = busy || !activeId;
    tick();
  }

  // Once a second: the live segment's clock and its over/under cell.
  function tick() {
    const live = activeId ? segmentOf(activeId) : null;
    const start = live && (live.actual_start || (state.active_segment && state.active_segment.actual_start));
    if (!live || !start) {
      $("ros-live-elapsed").textContent = "—";
      $("ros-live-over").textContent = "";
      $("ros-live").classList.remove("over");
      return;
    }
    const elapsed = (serverNow() - Date.parse(start)) / 1000;
    const over = Math.max(0, elapsed - live.duration * 60);
    $("ros-live-elapsed").textContent = clock(Math.max(0, elapsed));
    $("ros-live-over").textContent = over > 0 ? "over by " + clock(over) : "";
    $("ros-live").classList.toggle("over", over > 0);
    const cell = document.querySelector('#ros-table tr[data-segment-id="' + live.id + '"] td.over-under');
    if (cell) {
      cell.textContent = signed(over);
      cell.className = "over-under" + (over > 0 ? " over" : "");
    }
  }

  function render() { renderTable(); renderSummary(); }

  function showError(message) {
    const box = $("ros-error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function applyState(next) {
    state = next;
    activeId = next.active_segment ? next.active_segment.id : null;
    skewMs = Date.parse(next.timing.now) - Date.now();
    if (next.active_segment) {
      const row = segmentOf(next.active_segment.id);
      if (row) Object.assign(row, next.active_segment, { cues_count: row.cues_count });
    }
  }

  async function refresh(options) {
    const mine = ++generation;
    try {
      const requests = [SetdeskApi.get(API + "/sessions/" + sessionId + "/state/")];
      if (!options || !options.stateOnly) {
        requests.push(SetdeskApi.get(API + "/sessions/" + sessionId + "/segments/?page_size=500"));
      }
      const results = await Promise.all(requests);
      if (mine !== generation) return;
      if (results[1]) segments = results[1].results;
      applyState(results[0]);
      render();
    } catch (error) {
      if (mine === generation) showError("Could not refresh: " + error.message);
    }
  }

  function onEvent(event) {
    const payload = event.payload || {};
    $("ros-table").dataset.eventSeq = event.seq; // the last event seen (handy for tests and debugging)
    if (event.type === "runofshow.segment.activated") {
      const previous = activeId ? segmentOf(activeId) : null;
      if (previous && previous.id !== payload.segment_id) previous.status = "completed";
      const segment = segmentOf(payload.segment_id);
      if (segment) { segment.status = "in_progress"; segment.actual_start = event.ts; segment.actual_end = null; }
      activeId = payload.segment_id;
      render(); // highlight at once; the numbers follow from the server
      refresh();
    } else if (event.type === "runofshow.segment.completed") {
      const segment = segmentOf(payload.segment_id);
      if (segment) segment.status = "completed";
      if (activeId === payload.segment_id) activeId = null;
      render();
      refresh();
    } else if (event.type === "runofshow.segment.skipped") {
      (payload.segment_ids || []).forEach(function (id) {
        const segment = segmentOf(id);
        if (segment) segment.status = "skipped";
      });
      render();
      refresh();
    } else if (event.type === "runofshow.rundown.changed") {
      refresh();
    }
  }

  async function act(action, segmentId) {
    busy = true;
    render();
    showError("");
    try {
      // What this screen shows as live: if someone else moved the show meanwhile, the
      // server refuses (409, naming the live segment) instead of completing theirs at 0 s.
      const next = await SetdeskApi.post(API + "/segments/" + segmentId + "/" + action + "/", {
        expected_active: activeId || null,
      });
      generation++;
      applyState(next);
      const rows = await SetdeskApi.get(API + "/sessions/" + sessionId + "/segments/?page_size=500");
      segments = rows.results;
    } catch (error) {
      showError(error.message);
      if (error.status === 409) refresh(); // show what the other caller did
    } finally {
      busy = false;
      render();
    }
  }

  $("ros-table").addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (button) act(button.dataset.action, Number(button.dataset.segmentId));
  });
  if ($("ros-next-button")) {
    $("ros-next-button").addEventListener("click", function () {
      if (state.timing.next_segment_id) act("activate", state.timing.next_segment_id);
    });
    $("ros-complete-button").addEventListener("click", function () {
      if (activeId) act("complete", activeId);
    });
  }

  // The columns dialog: saves the user's preferences for this session.
  const dialog = $("ros-columns-dialog");
  function openColumns() {
    const list = $("ros-columns-list");
    list.replaceChildren.apply(list, allowed.map(function (name) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "visible_columns";
      box.value = name;
      box.checked = columns.indexOf(name) !== -1;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + labels[name] + (labels[name] !== name ? " (" + name + ")" : "")));
      return label;
    }));
    $("ros-columns-error").hidden = true;
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  }
  $("ros-columns-open").addEventListener("click", openColumns);
  $("ros-columns-cancel").addEventListener("click", function () { dialog.close(); });
  $("ros-columns-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    const chosen = Array.from(dialog.querySelectorAll('input[name="visible_columns"]:checked'))
      .map(function (box) { return box.value; });
    try {
      const saved = await SetdeskApi.put(API + "/sessions/" + sessionId + "/preferences/", { visible_columns: chosen });
      columns = saved.visible_columns;
      dialog.close();
      render();
    } catch (error) {
      const errors = (error.data && error.data.errors && error.data.errors.visible_columns) || [error.message];
      $("ros-columns-error").textContent = errors.join(" ");
      $("ros-columns-error").hidden = false;
    }
  });

  render();
  window.setdeskLive.subscribe(GROUP, onEvent, refresh);
  setInterval(tick, 1000);
  setInterval(function () { if (!busy) refresh({ stateOnly: true }); }, STATE_REFRESH_MS);
})();
