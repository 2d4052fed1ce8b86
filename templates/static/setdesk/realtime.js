// Setdesk live channel client: one socket to /ws/, subscribe, gap detection,
// resume on reconnect, resync callback. Usage:
//   const live = SetdeskLive.connect();
//   live.subscribe("hotset.session.3", (event) => {...}, () => refetchOverRest());
// Options: token (a link token, kept as is: no fresh user token is fetched for it) and
// onClosed(code, reason), told when the server closes the socket for good (4401, 4403).
(function () {
  "use strict";

  function readPositions() {
    const el = document.getElementById("live-positions");
    try {
      return (el && JSON.parse(el.textContent)) || {};
    } catch (e) {
      return {};
    }
  }

  function connect(options) {
    options = options || {};
    let token = options.token || document.body.dataset.socketToken;
    let opened = false;
    const statusEl = document.getElementById("live-status");
    const streams = {}; // group -> {epoch, seq, onEvent, onResync}
    const renderedAt = readPositions(); // group -> {epoch, seq} the page's data was read at
    let socket = null;
    let backoff = 500;
    let pingTimer = null;

    function setStatus(state, text) {
      if (!statusEl) return;
      statusEl.dataset.state = state;
      statusEl.textContent = text;
    }

    function send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    }

    // A reconnect asks the page's session for a fresh token: the rendered one expires.
    async function refreshToken() {
      if (options.token) return; // a link token is the page's own key
      try {
        const response = await fetch("/dash/socket-token/", { credentials: "same-origin", cache: "no-store" });
        if (response.ok) token = (await response.json()).token;
      } catch (e) { /* offline: try with the old token, the close code tells */ }
    }

    async function open() {
      if (opened) await refreshToken();
      opened = true;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      // The token goes in the first message, never in the URL: URLs end up in server logs.
      socket = new WebSocket(scheme + "://" + location.host + "/ws/");
      socket.onopen = function () {
        backoff = 500;
        setStatus("live", "live");
        // The server handles messages in order: the subscribes below follow the auth.
        send({ action: "auth", token: token });
        Object.keys(streams).forEach(function (group) {
          const s = streams[group];
          if (s.epoch === null) send({ action: "subscribe", group: group });
          else send({ action: "resume", group: group, epoch: s.epoch, since: s.seq });
        });
        clearInterval(pingTimer);
        pingTimer = setInterval(function () { send({ action: "ping" }); }, 25000);
      };
      socket.onmessage = function (message) {
        const data = JSON.parse(message.data);
        const s = data.group ? streams[data.group] : null;
        if (data.type === "subscribed" && s) {
          s.epoch = data.epoch; s.seq = data.seq;
        } else if (data.type === "resync" && s) {
          s.epoch = null;
          if (s.onResync) s.onResync();
          send({ action: "subscribe", group: data.group });
        } else if (s && typeof data.seq === "number" && data.payload !== undefined) {
          if (s.epoch === "" && data.seq === s.seq + 1) s.epoch = data.epoch; // the group's first event
          if (s.epoch !== null && data.epoch === s.epoch && data.seq <= s.seq) return; // duplicate
          if (s.epoch !== null && (data.epoch !== s.epoch || data.seq > s.seq + 1)) {
            send({ action: "resume", group: data.group, epoch: s.epoch, since: s.seq }); // gap
            return;
          }
          s.epoch = data.epoch; s.seq = data.seq;
          s.onEvent(data);
        }
      };
      socket.onclose = function (event) {
        clearInterval(pingTimer);
        if (event.code === 4401) {
          setStatus("down", "signed out — reload");
          if (options.onClosed) options.onClosed(event.code, event.reason);
          return;
        }
        // "rights changed": a role was taken away; reconnect with what this user may see now.
        if (event.code === 4403 && event.reason !== "rights changed") {
          setStatus("down", "not allowed");
          if (options.onClosed) options.onClosed(event.code, event.reason);
          return;
        }
        setStatus("down", "reconnecting…");
        setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, 10000);
      };
    }

    open();
    return {
      // A group the page was rendered with a position for (its data's moment, see
      // realtime/selectors.page_positions) resumes from there: what changed while the page
      // loaded is replayed. Any other group starts from the moment it is subscribed.
      subscribe: function (group, onEvent, onResync) {
        const at = renderedAt[group];
        const s = { epoch: null, seq: 0, onEvent: onEvent, onResync: onResync };
        if (at && typeof at.epoch === "string" && typeof at.seq === "number") {
          s.epoch = at.epoch; s.seq = at.seq;
          delete renderedAt[group]; // once: a later subscribe of the same group starts afresh
        }
        streams[group] = s;
        if (s.epoch === null) send({ action: "subscribe", group: group });
        else send({ action: "resume", group: group, epoch: s.epoch, since: s.seq });
      },
    };
  }

  window.SetdeskLive = { connect: connect };
})();
