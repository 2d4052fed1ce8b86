// The hot set's offline queue: every action of the page (start, complete, skip, confirm, wrap,
// reorder) is written here first, with its moment (`at`) and an Idempotency-Key, then sent in
// order. Without signal the entries wait in localStorage (they survive a reload or a closed
// tab) and go out when the network is back; the server answers a replayed key with its first
// answer, so a request that reached it before the signal dropped is never applied twice.
// A refused entry (4xx) leaves the queue with its reason; a 5xx, a timeout, no network or an
// expired login keep it (and the ones behind it) waiting.
(function () {
  "use strict";

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function load(storage, key) {
    try { return JSON.parse(storage.getItem(key) || "[]"); } catch (e) { return []; }
  }

  // Statuses that mean "try again later" rather than "no": the request may not have been seen.
  function isRetryable(err) {
    return err.status === undefined || err.status === 0 || err.status === 401 || err.status === 403 ||
      err.status === 408 || err.status === 429 || err.status >= 500;
  }

  function reasonOf(err) {
    const data = err.data || {};
    const fields = data.errors ? Object.values(data.errors).flat().filter(Boolean) : [];
    return [data.detail || err.message || "Refused"].concat(fields.filter((f) => f !== data.detail)).join(" ");
  }

  /**
   * create({name, send, onChange}) → queue.
   * send(entry) → Promise: posts entry.url with entry.body and the Idempotency-Key entry.key.
   */
  function create(options) {
    const storage = options.storage || window.localStorage;
    const pendingKey = "setdesk.queue." + options.name;
    const refusedKey = "setdesk.refused." + options.name;
    let flushing = null;
    let lastError = null; // why the queue stopped: "offline" | "login" | "server"

    const queue = {
      entries: () => load(storage, pendingKey),
      refused: () => load(storage, refusedKey),
      get stoppedBy() { return lastError; },
      add: function (entry) {
        const full = Object.assign({ key: newKey(), queuedAt: Date.now() }, entry);
        const list = load(storage, pendingKey);
        list.push(full);
        storage.setItem(pendingKey, JSON.stringify(list));
        options.onChange && options.onChange();
        return full;
      },
      forgetRefused: function (key) {
        storage.setItem(refusedKey, JSON.stringify(load(storage, refusedKey).filter((r) => r.key !== key)));
        options.onChange && options.onChange();
      },
      // Sends the waiting entries in order; one flush at a time (a second call joins the first).
      flush: function () {
        if (!flushing) flushing = run().finally(() => { flushing = null; });
        return flushing;
      },
    };

    function drop(key) {
      storage.setItem(pendingKey, JSON.stringify(load(storage, pendingKey).filter((e) => e.key !== key)));
    }

    async function run() {
      let sent = 0;
      for (;;) {
        const entry = load(storage, pendingKey)[0];
        if (!entry) { lastError = null; break; }
        try {
          await options.send(entry);
          drop(entry.key);
          sent += 1;
          lastError = null;
        } catch (err) {
          if (isRetryable(err)) {
            lastError = err.status === undefined || err.status === 0 ? "offline"
              : err.status === 401 || err.status === 403 ? "login" : "server";
            break;
          }
          drop(entry.key);
          const refused = load(storage, refusedKey);
          refused.push(Object.assign({}, entry, { reason: reasonOf(err), status: err.status }));
          storage.setItem(refusedKey, JSON.stringify(refused.slice(-20)));
        }
        options.onChange && options.onChange();
      }
      options.onChange && options.onChange();
      return sent;
    }
    return queue;
  }

  // --- what the page shows while entries wait: the server's last state with them applied ---
  function clone(value) { return JSON.parse(JSON.stringify(value)); }

  function byId(projection) {
    const out = {};
    projection.items.forEach((item) => { out[item.id] = item; });
    return out;
  }

  function firstPending(projection, after) {
    return projection.items.find((i) => i.status === "pending" && i.id !== after) || null;
  }

  function startItem(session, projection, item, at) {
    if (!item || item.status !== "pending" || projection.current_item_id) return;
    item.status = "in_progress";
    item.actual = { start: at, end: null };
    projection.current_item_id = item.id;
    if (session.status === "not_started") { session.status = "in_progress"; session.started_at = at; }
  }

  function completeItem(projection, item, at, partial) {
    if (!item || item.status !== "in_progress") return;
    item.status = "completed";
    item.actual = { start: item.actual.start, end: at };
    item.is_partial = !!partial;
    item.variance_minutes = item.planned_duration_minutes -
      Math.round((Date.parse(at) - Date.parse(item.actual.start)) / 60000);
    if (projection.current_item_id === item.id) projection.current_item_id = null;
  }

  // Mirrors the services closely enough for the screen; the server's answer replaces it.
  function applyEntry(session, projection, op) {
    const items = byId(projection);
    const at = op.at;
    switch (op.type) {
      case "start":
        startItem(session, projection, items[op.itemId], at);
        break;
      case "complete":
        completeItem(projection, items[op.itemId], at, op.partial);
        if (op.nextItemId) startItem(session, projection, items[op.nextItemId], at);
        break;
      case "skip":
        if (items[op.itemId] && items[op.itemId].status === "pending") items[op.itemId].status = "skipped";
        break;
      case "start-day":
        if (session.status === "not_started") { session.status = "in_progress"; session.started_at = at; }
        break;
      case "confirm-crew-call": {
        if (session.crew_call_confirmed_at) break;
        session.crew_call_confirmed_at = at;
        const crewCall = projection.items.find((i) => i.block_type === "crew_call" && i.status === "pending");
        if (crewCall) startItem(session, projection, crewCall, at);
        else if (session.status === "not_started") { session.status = "in_progress"; session.started_at = at; }
        break;
      }
      case "confirm-first-shot": {
        if (session.first_shot_confirmed_at || !session.crew_call_confirmed_at) break;
        session.first_shot_confirmed_at = at;
        const running = items[projection.current_item_id];
        if (running && running.block_type === "crew_call") completeItem(projection, running, at);
        const marker = projection.items.find((i) => i.block_type === "first_shot" && i.status === "pending");
        if (marker) { marker.status = "completed"; marker.actual = { start: at, end: at }; }
        if (!projection.current_item_id) {
          const scene = projection.items.find((i) => i.kind === "scene" && i.status === "pending");
          startItem(session, projection, scene, at);
        }
        break;
      }
      case "wrap":
        completeItem(projection, items[projection.current_item_id], at);
        session.status = "wrapped";
        session.wrapped_at = at;
        break;
      case "reorder": {
        const order = {};
        op.itemIds.forEach((id, index) => { order[id] = index; });
        projection.items.sort((a, b) => order[a.id] - order[b.id]);
        break;
      }
      default:
        break;
    }
    const next = firstPending(projection, projection.current_item_id);
    projection.next_item_id = next ? next.id : null;
  }

  /** view(session, projection, entries) → {session, projection} with the waiting entries applied. */
  function view(session, projection, entries) {
    if (!entries.length) return { session: session, projection: projection };
    const s = clone(session), p = clone(projection);
    entries.forEach((entry) => applyEntry(s, p, entry.op));
    return { session: s, projection: p };
  }

  window.HotsetQueue = { create: create, view: view };
})();
