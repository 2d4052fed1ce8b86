// Helpers shared by the publishing pages: project time zone formatting and input, countdowns,
// error messages from the API's {detail, errors} shape, and following publishing.* events.
(function () {
  "use strict";

  function partsIn(ms, tz) {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(ms));
    const get = function (type) { return Number(parts.find(function (p) { return p.type === type; }).value); };
    return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour"), mi: get("minute"), s: get("second") };
  }

  // "2026-03-10T16:30" read as a wall time in `tz` → Date.
  function fromZonedInput(value, tz) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    if (!m) return null;
    const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    let guess = wall;
    for (let i = 0; i < 2; i++) { // the zone's offset at the guess; twice settles DST edges
      const p = partsIn(guess, tz);
      const offset = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(guess / 1000) * 1000;
      guess = wall - offset;
    }
    return new Date(guess);
  }

  // ISO time → "YYYY-MM-DDTHH:MM" as a wall time in `tz` (for datetime-local inputs).
  function toZonedInput(iso, tz) {
    const p = partsIn(Date.parse(iso), tz);
    const pad = function (n) { return String(n).padStart(2, "0"); };
    return p.y + "-" + pad(p.mo) + "-" + pad(p.d) + "T" + pad(p.h) + ":" + pad(p.mi);
  }

  function formatter(tz) {
    const f = new Intl.DateTimeFormat(undefined, {
      timeZone: tz, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
    return function (iso) { return iso ? f.format(new Date(iso)) : "—"; };
  }

  // 3725 → "1:02:05"; 90061 → "1d 01:01:01".
  function countdown(seconds) {
    const total = Math.max(0, Math.floor(seconds));
    const d = Math.floor(total / 86400), h = Math.floor((total % 86400) / 3600);
    const m = Math.floor((total % 3600) / 60), s = total % 60;
    const pad = function (n) { return String(n).padStart(2, "0"); };
    if (d) return d + "d " + pad(h) + ":" + pad(m) + ":" + pad(s);
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
  }

  function errorText(error) {
    const data = error && error.data;
    if (!data) return (error && error.message) || "Something went wrong.";
    const lines = [data.detail || "Something went wrong."];
    Object.keys(data.errors || {}).forEach(function (field) {
      const messages = [].concat(data.errors[field]);
      messages.forEach(function (message) { lines.push(field + ": " + message); });
    });
    return lines.join(" ");
  }

  function show(el, text) {
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  // One notice area: a new message (or none) replaces whatever was shown, error or not.
  function notify(kind, text) {
    show(document.getElementById("pub-error"), kind === "error" ? text : "");
    show(document.getElementById("pub-notice"), kind === "error" ? "" : text);
  }

  // Follows publishing.* events on the user's role groups (refresh, debounced), and polls as a
  // safety net (more often when there is no live group to follow).
  function follow(groups, refresh, pollMs) {
    let timer = null;
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }
    groups.forEach(function (group) {
      window.setdeskLive.subscribe(group, function (event) {
        if (String(event.type).indexOf("publishing.") === 0) soon();
      }, refresh);
    });
    setInterval(refresh, groups.length ? pollMs : Math.min(pollMs, 15000));
    return soon;
  }

  window.SetdeskPublishing = {
    fromZonedInput: fromZonedInput, toZonedInput: toZonedInput, formatter: formatter,
    countdown: countdown, errorText: errorText, show: show, notify: notify, follow: follow, partsIn: partsIn,
  };
})();
