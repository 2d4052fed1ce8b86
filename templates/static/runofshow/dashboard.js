// Run-of-show console: a Now / Next header (the live segment's remaining time to the second,
// warning and danger colours, the next segment, the show offset + ahead / − behind), the
// rundown with the user's columns and each segment's cues, the live segment highlighted for
// every viewer (events of runofshow.session.<id> over SetdeskLive), and for show callers
// Go / Complete / Skip (a confirm before a Go that jumps segments), the stage message and the
// viewer links. All numbers come from the server (GET …/state/); the page only ticks the
// live segment's clock between refreshes.
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
  const timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const stampFormat = new Intl.DateTimeFormat(undefined, {
    timeZone: tz, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });

  const $ = function (id) { return document.getElementById(id); };

  // "+1" after midnight (in the show's zone): a 00:30 close reads as the next day's.
  const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  function dayOffset(iso) {
    const days = (Date.parse(dayFormat.format(new Date(iso))) - Date.parse(initial.session.date)) / 86400000;
    return days > 0 ? " +" + Math.round(days) : "";
  }
  function time(iso) { return iso ? timeFormat.format(new Date(iso)) + dayOffset(iso) : "—"; }
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

  const cueKinds = { lighting: "LX", audio: "SND", video: "VID", graphics: "GFX", other: "CUE" };
  function cueList(cues) {
    const list = document.createElement("ul");
    list.className = "ros-cues";
    cues.forEach(function (cue) {
      const item = document.createElement("li");
      const at = (cue.offset_seconds < 0 ? "−" : "+") + clock(cue.offset_seconds);
      item.textContent = (cueKinds[cue.kind] || "CUE") + " " + cue.number + " " + at +
        (cue.description ? " · " + cue.description : "");
      list.appendChild(item);
    });
    return list;
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
        td.dataset.label = labels[column];
        if (column === "status") {
          const badge = document.createElement("span");
          badge.className = "badge " + status;
          badge.textContent = status === "in_progress" ? "live" : status;
          td.appendChild(badge);
        } else {
          td.textContent = cellText(segment, column);
        }
        if (column === "name" && segment.cues && segment.cues.length) td.appendChild(cueList(segment.cues));
        tr.appendChild(td);
      });
      const ou = document.createElement("td");
      ou.dataset.label = "Over/under";
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
          button.textContent = status === "completed" ? "Run again" : "Go";
          button.dataset.action = "activate";
        }
        button.dataset.segmentId = segment.id;
        button.disabled = busy;
        td.appendChild(button);
        if (status === "pending") {
          const skip = document.createElement("button");
          skip.type = "button";
          skip.className = "secondary";
          skip.textContent = "Skip";
          skip.dataset.action = "skip";
          skip.dataset.segmentId = segment.id;
          skip.disabled = busy;
          td.appendChild(skip);
        }
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
    // The timing's offset is + behind; every screen shows + ahead (green), − behind (red).
    $("ros-offset-value").textContent = t.ahead_behind === "on_time" ? "±0:00" : signed(-t.offset_seconds);
    $("ros-offset-label").textContent = { behind: "behind", ahead: "ahead", on_time: "on time" }[t.ahead_behind];
    $("ros-expected-end").textContent = time(t.expected_end);
    $("ros-planned-end").textContent = time(t.planned_end);
    const next = t.next_segment_id ? segmentOf(t.next_segment_id) : null;
    $("ros-next").textContent = next ? next.name + " · planned " + time(next.start_time) : "End of show";
    const live = activeId ? segmentOf(activeId) : null;
    $("ros-live-name").textContent = live ? live.name : "Nothing live";
    $("ros-live-planned").textContent = live ? "of " + clock(live.duration * 60) + " planned" : "";
    const nextButton0 = $("ros-next-button");
    if (nextButton0) nextButton0.textContent = next ? "Go: " + next.name + " ▶" : "Go next ▶";
    $("ros-live-by").textContent = live && state.updated_by_username ? "called by " + state.updated_by_username : "";
    const nextButton = $("ros-next-button");
    if (nextButton) nextButton.disabled = busy || !t.next_segment_id;
    const completeButton = $("ros-complete-button");
    if (completeButton) completeButton.disabled = busy || !activeId;
    tick();
  }

  // Four times a second: the live segment's remaining time (to the second) and its over/under cell.
  function tick() {
    const live = activeId ? segmentOf(activeId) : null;
    const start = live && (live.actual_start || (state.active_segment && state.active_segment.actual_start));
    const box = $("ros-live");
    if (!live || !start) {
      $("ros-countdown").textContent = "--:--";
      box.dataset.level = "idle";
      return;
    }
    const elapsed = (serverNow() - Date.parse(start)) / 1000;
    const left = Math.ceil(live.duration * 60 - elapsed);
    const over = Math.max(0, elapsed - live.duration * 60);
    if (left >= 0) {
      $("ros-countdown").textContent = clock(left);
      box.dataset.level = left <= initial.danger_seconds ? "danger" : left <= initial.warning_seconds ? "warning" : "normal";
    } else {
      $("ros-countdown").textContent = "−" + clock(-left) + " over";
      box.dataset.level = "over";
    }
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
    } else if (event.type === "runofshow.message.updated") {
      onMessage(payload);
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
    if (!button) return;
    const id = Number(button.dataset.segmentId);
    const segment = segmentOf(id);
    if (button.dataset.action === "activate" && id !== state.timing.next_segment_id && segment) {
      const jumped = segments.filter(function (s) {
        return statusOf(s) === "pending" && (s.order < segment.order || (s.order === segment.order && s.id < segment.id));
      }).length;
      const why = jumped ? " " + jumped + " pending segment" + (jumped > 1 ? "s" : "") + " before it will be skipped." : "";
      if (!window.confirm("Go to “" + segment.name + "”? It is not the next segment." + why)) return;
    }
    if (button.dataset.action === "skip" && segment && !window.confirm("Skip “" + segment.name + "”?")) return;
    act(button.dataset.action, id);
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

  // --- Stage timer: the message and the viewer links (show callers) ---------------------------
  const expiresFormat = new Intl.DateTimeFormat(undefined, {
    timeZone: tz, weekday: "short", hour: "2-digit", minute: "2-digit",
  });

  async function loadLinks() {
    if (!$("ros-links")) return;
    try {
      const page = await SetdeskApi.get(API + "/sessions/" + sessionId + "/viewer-links/?page_size=100");
      const items = page.results.filter(function (link) { return link.active; }).map(function (link) {
        const li = document.createElement("li");
        li.dataset.linkId = link.id;
        const text = document.createElement("span");
        text.textContent = (link.label || "Viewer link") + " …" + link.token_hint +
          " · until " + expiresFormat.format(new Date(link.expires_at));
        const revoke = document.createElement("button");
        revoke.type = "button";
        revoke.className = "danger";
        revoke.textContent = "Revoke";
        revoke.addEventListener("click", async function () {
          if (!window.confirm("Revoke this link? Its screen goes dark at once.")) return;
          try { await SetdeskApi.del(API + "/viewer-links/" + link.id + "/"); } catch (error) { showError(error.message); }
          loadLinks();
        });
        li.append(text, revoke);
        return li;
      });
      if (!items.length) {
        const none = document.createElement("li");
        none.className = "muted";
        none.textContent = "No open viewer links.";
        items.push(none);
      }
      $("ros-links").replaceChildren.apply($("ros-links"), items);
    } catch (error) { showError(error.message); }
  }

  if ($("ros-link-form")) {
    $("ros-link-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      try {
        const made = await SetdeskApi.post(API + "/sessions/" + sessionId + "/viewer-links/", {
          label: $("ros-link-label").value.trim(),
        });
        $("ros-link-url").value = made.url;
        $("ros-link-new").hidden = false;
        $("ros-link-label").value = "";
        loadLinks();
      } catch (error) { showError(error.message); }
    });
    $("ros-link-copy").addEventListener("click", function () {
      $("ros-link-url").select();
      if (navigator.clipboard) navigator.clipboard.writeText($("ros-link-url").value).catch(function () {});
    });
    $("ros-message-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      try {
        await SetdeskApi.put(API + "/sessions/" + sessionId + "/message/", {
          text: $("ros-message-text").value, visible: $("ros-message-visible").checked,
        });
        showError("");
      } catch (error) { showError(error.message); }
    });
    loadLinks();
  }

  function onMessage(payload) {
    // Another caller's save: shown unless this caller is typing.
    if (!$("ros-message-text") || document.activeElement === $("ros-message-text")) return;
    $("ros-message-text").value = payload.text;
    $("ros-message-visible").checked = payload.visible;
  }

  render();
  window.setdeskLive.subscribe(GROUP, onEvent, refresh);
  setInterval(tick, 250);
  setInterval(function () { if (!busy) refresh({ stateOnly: true }); }, STATE_REFRESH_MS);
})();
