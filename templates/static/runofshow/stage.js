// The stage timer (/stage/<token>/): the live segment's remaining time counting down to the
// second, the next segment, the show offset and the caller's message, live over /ws/ with the
// link's token. The server sends moments; this page only counts. A revoked or expired link
// closes the page at once.
(function () {
  "use strict";
  const token = document.currentScript.dataset.token;
  const stateUrl = document.body.dataset.stateUrl;
  const group = document.body.dataset.group;
  const $ = (id) => document.getElementById(id);
  let data = JSON.parse($("stage-initial").textContent);
  let skew = 0; // server clock − this screen's clock, in ms
  let closed = false;

  function syncClock(serverNow) {
    const server = Date.parse(serverNow);
    if (!Number.isNaN(server)) skew = server - Date.now();
  }

  function clock(seconds) {
    const s = Math.abs(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
  }

  const timeOfDay = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: data.session.timezone,
  });
  const shortTime = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", hour12: false, timeZone: data.session.timezone,
  });

  function close(why) {
    if (closed) return;
    closed = true;
    $("stage-closed-why").textContent = why;
    $("stage-closed").hidden = false;
    $("stage").classList.add("closed");
  }

  function render() {
    const now = Date.now() + skew;
    $("stage-clock").textContent = timeOfDay.format(now);
    if (Date.parse(data.expires_at) <= now) close("The link expired. Ask the show caller for a new one.");
    const live = data.live;
    const stage = $("stage");
    if (!live) {
      stage.dataset.level = "idle";
      $("stage-now-label").textContent = data.next ? "Stand by" : "Now";
      $("stage-now-name").textContent = data.next ? "Next: " + data.next.name : "—";
      $("stage-timer").textContent = "--:--";
      $("stage-timer-sub").textContent = "";
    } else {
      const end = Date.parse(live.actual_start) + live.planned_seconds * 1000;
      const left = Math.ceil((end - now) / 1000); // whole seconds, counting down
      $("stage-now-label").textContent = "Now";
      $("stage-now-name").textContent = live.name;
      if (left >= 0) {
        stage.dataset.level = left <= data.danger_seconds ? "danger" : left <= data.warning_seconds ? "warning" : "normal";
        $("stage-timer").textContent = clock(left);
        $("stage-timer-sub").textContent = "of " + clock(live.planned_seconds);
      } else {
        stage.dataset.level = "over";
        $("stage-timer").textContent = "\u2212" + clock(-left);
        $("stage-timer-sub").textContent = "Over time";
      }
    }
    $("stage-next-name").textContent = data.next ? data.next.name : "End of show";
    $("stage-next-at").textContent = data.next && data.next.planned_start
      ? "planned " + shortTime.format(Date.parse(data.next.planned_start)) : "";
    const offset = $("stage-offset");
    const sign = data.ahead_behind === "on_time" ? "zero" : data.ahead_behind;
    offset.dataset.sign = sign;
    offset.textContent = sign === "zero" ? "On time"
      : (data.offset_seconds > 0 ? "+" : "\u2212") + clock(data.offset_seconds) + (sign === "ahead" ? " ahead" : " behind");
    const message = $("stage-message");
    message.hidden = !(data.message.visible && data.message.text);
    message.textContent = data.message.text;
  }

  let fetching = null;
  async function refetch() {
    if (fetching) return fetching;
    fetching = (async function () {
      try {
        const response = await fetch(stateUrl, { cache: "no-store", credentials: "omit" });
        if (response.status === 404) { close("It was revoked or it expired. Ask the show caller for a new one."); return; }
        if (!response.ok) return;
        data = await response.json();
        syncClock(data.server_now);
        render();
      } catch (e) { /* no signal: the socket's reconnect refetches */ } finally { fetching = null; }
    })();
    return fetching;
  }

  syncClock(data.server_now);
  render();
  setInterval(render, 250);
  const live = SetdeskLive.connect({
    token: token,
    onClosed: function (code, reason) {
      close(reason === "link revoked"
        ? "It was revoked. Ask the show caller for a new one."
        : "It was revoked or it expired. Ask the show caller for a new one.");
    },
  });
  live.subscribe(group, refetch, refetch);
  $("stage-fullscreen").addEventListener("click", function () {
    const root = document.documentElement;
    if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
  });
})();
