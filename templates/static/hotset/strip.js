// The day on one strip (SVG, no library): three rows — planned, actual, projected — of the
// schedule items in stripboard colours (INT/DAY white, EXT/DAY yellow, INT/NIGHT blue,
// EXT/NIGHT green, dawn/dusk orange), meals marked, a red line at now, hour ticks in the
// project's zone with +1 after midnight.
(function () {
  "use strict";

  const NS = "http://www.w3.org/2000/svg";
  const KINDS = [
    { key: "int-day", label: "INT / DAY", fill: "#f4f4f5" },
    { key: "ext-day", label: "EXT / DAY", fill: "#facc15" },
    { key: "int-night", label: "INT / NIGHT", fill: "#60a5fa" },
    { key: "ext-night", label: "EXT / NIGHT", fill: "#4ade80" },
    { key: "twilight", label: "DAWN / DUSK", fill: "#fb923c" },
    { key: "scene", label: "Scene", fill: "#cbd5e1" },
    { key: "meal", label: "Meal", fill: "#e879f9" },
    { key: "block", label: "Other block", fill: "#64748b" },
  ];
  const FILL = {};
  KINDS.forEach((k) => { FILL[k.key] = k.fill; });

  /** The stripboard class of an item: its colour and legend entry. */
  function kindOf(item) {
    if (item.kind !== "scene") return item.block_type === "meal" ? "meal" : "block";
    if (item.day_night === "dawn" || item.day_night === "dusk") return "twilight";
    const place = item.int_ext === "ext" ? "ext" : item.int_ext ? "int" : "";
    const light = item.day_night || "";
    return place && light ? place + "-" + light : "scene";
  }

  function node(tag, attrs, text) {
    const el = document.createElementNS(NS, tag);
    Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /**
   * render(container, {items, now, start, end, label(ms) → "13:00", title(item) → text}).
   * Times are epoch milliseconds; items carry planned / projected / actual {start, end} ISO.
   */
  function render(container, options) {
    const width = Math.max(280, Math.round(container.clientWidth || 600));
    const rows = ["Planned", "Actual", "Projected"];
    const left = 74, top = 8, rowHeight = 22, gap = 6, axis = 22;
    const height = top + rows.length * (rowHeight + gap) + axis;
    const span = Math.max(1, options.end - options.start);
    const x = (ms) => left + ((ms - options.start) / span) * (width - left - 6);
    const svg = node("svg", {
      width: String(width), height: String(height), viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-label": options.summary || "Timeline of the day",
    });
    rows.forEach((name, r) => {
      const y = top + r * (rowHeight + gap);
      svg.append(node("text", { x: "0", y: String(y + rowHeight - 6), class: "hs-strip-label" }, name));
      svg.append(node("rect", { x: String(left), y: String(y), width: String(width - left - 6), height: String(rowHeight), class: "hs-strip-lane" }));
    });
    const bar = (row, item, from, to, extra) => {
      if (from === null || to === null || isNaN(from) || isNaN(to)) return;
      const y = top + row * (rowHeight + gap);
      const w = Math.max(2, x(to) - x(from));
      const rect = node("rect", {
        x: String(x(from)), y: String(y + 1), width: String(w), height: String(rowHeight - 2),
        fill: FILL[kindOf(item)], class: "hs-strip-bar " + (extra || ""), "data-item-id": String(item.id),
      });
      rect.append(node("title", {}, options.title(item)));
      svg.append(rect);
      if (item.block_type === "meal" && w >= 10) {
        svg.append(node("text", { x: String(x(from) + w / 2), y: String(y + rowHeight - 6), class: "hs-strip-meal" }, "M"));
      }
    };
    options.items.forEach((item) => {
      if (item.status === "skipped") return;
      const t = (iso) => (iso ? Date.parse(iso) : null);
      bar(0, item, t(item.planned.start), t(item.planned.end));
      if (item.actual.start) bar(1, item, t(item.actual.start), item.actual.end ? t(item.actual.end) : options.now, item.actual.end ? "" : "running");
      if (!options.wrapped && (item.status === "pending" || item.status === "in_progress")) {
        bar(2, item, t(item.projected.start), t(item.projected.end), "projected");
      }
    });
    // Hour ticks: every hour, or every two or three when the day is long for the width.
    const hour = 3600000;
    const every = span / hour > (width - left) / 45 ? 3 : span / hour > (width - left) / 70 ? 2 : 1;
    const axisY = top + rows.length * (rowHeight + gap) + 14;
    let tick = Math.ceil(options.start / hour) * hour;
    for (; tick <= options.end; tick += hour) {
      const hourOfDay = Math.round(tick / hour);
      if (hourOfDay % every) continue;
      svg.append(node("line", { x1: String(x(tick)), x2: String(x(tick)), y1: String(top), y2: String(axisY - 10), class: "hs-strip-tick" }));
      svg.append(node("text", { x: String(x(tick)), y: String(axisY + 2), class: "hs-strip-axis" }, options.label(tick)));
    }
    if (options.now >= options.start && options.now <= options.end) {
      svg.append(node("line", { x1: String(x(options.now)), x2: String(x(options.now)), y1: "2", y2: String(axisY - 8), class: "hs-strip-now" }));
    }
    container.replaceChildren(svg);
  }

  function legend(list) {
    list.replaceChildren();
    KINDS.forEach((k) => {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "hs-swatch";
      swatch.style.background = k.fill;
      li.append(swatch, document.createTextNode(k.label));
      list.append(li);
    });
  }

  window.HotsetStrip = { render: render, legend: legend, kindOf: kindOf };
})();
