// The publishing queue: stats, a week calendar of posts per platform (reschedule from it), every
// waiting / held / posting / failed post with a countdown to the second (paginated), the last
// posted ones, the Post now / Reschedule / Cancel / Retry actions, and the schedule form with a
// caption preview and per-platform counters against the limits. The server decides everything;
// the page only ticks the countdowns between refreshes.
(function () {
  "use strict";
  const P = window.SetdeskPublishing;
  const initial = JSON.parse(document.getElementById("pub-initial").textContent);
  const API = "/api/v1/publishing";
  const tz = initial.timezone;
  const when = P.formatter(tz);
  const $ = function (id) { return document.getElementById(id); };
  const PLATFORM_LABELS = { youtube: "YouTube", instagram: "Instagram", tiktok: "TikTok" };
  const STATUS_LABELS = {
    pending: "Scheduled", processing: "Posting…", completed: "Posted", failed: "Failed", cancelled: "Cancelled",
    held: "Held",
  };

  let posts = initial.posts;
  let stats = initial.stats;
  const skewMs = Date.parse(initial.now) - Date.now(); // server clock − browser clock
  let rescheduling = null;
  let generation = 0;

  function serverNow() { return Date.now() + skewMs; }

  // An absolute http(s) URL with a host, as the server stores permalinks (SPEC §4).
  function isWebUrl(url) {
    if (typeof url !== "string" || !/^https?:\/\/[^\s\/?#\\@]+/i.test(url)) return false;
    try { return ["http:", "https:"].indexOf(new URL(url).protocol) !== -1; } catch (e) { return false; }
  }

  function button(label, action, id, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.action = action;
    b.dataset.id = id;
    if (cls) b.className = cls;
    return b;
  }

  function countdownText(post) {
    if (post.status === "pending") {
      const seconds = (Date.parse(post.next_attempt_at || post.scheduled_time) - serverNow()) / 1000;
      if (seconds <= 0) return "due — posting shortly";
      return (post.attempts ? "retry in " : "in ") + P.countdown(seconds);
    }
    if (post.status === "processing") return "posting…";
    if (post.status === "held") return "held: account not authenticated";
    if (post.status === "failed") return "failed after " + post.attempts + " attempt" + (post.attempts === 1 ? "" : "s");
    if (post.status === "completed") return "posted " + when(post.posted_at);
    return "";
  }

  function renderStats() {
    $("stat-scheduled").textContent = stats.scheduled;
    $("stat-posting-today").textContent = stats.posting_today;
    $("stat-completed-today").textContent = stats.completed_today;
    $("stat-failed").textContent = stats.failed;
  }

  function renderPost(post) {
    const li = document.createElement("li");
    li.className = "pub-post";
    li.dataset.id = post.id;
    li.dataset.status = post.status;
    const what = document.createElement("div");
    what.className = "what";
    const title = document.createElement("strong");
    title.textContent = post.video_title || "Video " + post.video;
    const platform = document.createElement("span");
    platform.className = "badge platform";
    platform.textContent = PLATFORM_LABELS[post.platform] || post.platform;
    const status = document.createElement("span");
    status.className = "badge status " + post.status;
    status.textContent = STATUS_LABELS[post.status] || post.status;
    what.append(title, platform, status);
    const whenEl = document.createElement("div");
    whenEl.className = "when";
    whenEl.textContent = when(post.scheduled_time) + (post.account_handle ? " · @" + post.account_handle : "");
    what.append(whenEl);
    const count = document.createElement("div");
    count.className = "pub-countdown";
    count.dataset.countdown = post.id;
    count.textContent = countdownText(post);
    li.append(what, count);
    if (post.last_error && post.status !== "completed") {
      const error = document.createElement("div");
      error.className = "error";
      error.textContent = post.last_error;
      li.append(error);
    }
    const actions = document.createElement("div");
    actions.className = "actions";
    if (initial.can_manage && post.status === "pending") {
      actions.append(button("Post now", "force", post.id), button("Reschedule", "reschedule", post.id, "secondary"),
        button("Cancel", "cancel", post.id, "danger"));
    }
    if (initial.can_manage && post.status === "failed") {
      actions.append(button("Retry", "retry", post.id), button("Cancel", "cancel", post.id, "danger"));
    }
    if (initial.can_manage && post.status === "held") {
      actions.append(button("Cancel", "cancel", post.id, "danger")); // it goes out once the account is authenticated
    }
    // Only http(s) permalinks become links (never javascript: or data:, whatever the server holds).
    if (post.status === "completed" && isWebUrl(post.external_url)) {
      const link = document.createElement("a");
      link.href = post.external_url;
      link.textContent = "View post";
      link.target = "_blank";
      link.rel = "noopener";
      actions.append(link);
    }
    if (actions.childNodes.length) li.append(actions);
    return li;
  }

  function render() {
    renderStats();
    const list = $("pub-queue");
    list.replaceChildren.apply(list, posts.map(renderPost));
    $("pub-empty").hidden = posts.length > 0;
    const waiting = posts.filter(function (p) { return p.status !== "completed"; }).length;
    $("pub-more").hidden = waiting >= queueTotal;
    $("pub-queue-count").textContent = waiting < queueTotal ? "showing " + waiting + " of " + queueTotal + " waiting"
      : queueTotal + " waiting · times in " + tz;
    renderCalendar();
  }

  // Once a second: move every countdown; a post that falls due brings a refresh a little later.
  let dueRefresh = null;
  function tick() {
    posts.forEach(function (post) {
      const el = document.querySelector('[data-countdown="' + post.id + '"]');
      if (el) el.textContent = countdownText(post);
      const due = post.status === "pending" && Date.parse(post.next_attempt_at || post.scheduled_time) <= serverNow();
      if ((due || post.status === "processing") && !dueRefresh) {
        dueRefresh = setTimeout(function () { dueRefresh = null; refresh(); }, 5000);
      }
    });
  }

  const QUEUE = API + "/posts/?status=pending&status=held&status=processing&status=failed&ordering=scheduled_time";
  const PAGE = 50;
  let pagesShown = 1;
  let queueTotal = initial.queue_total;

  async function allPages(url) {
    const out = [];
    let next = url;
    while (next) {
      const page = await SetdeskApi.get(next);
      out.push.apply(out, page.results);
      next = page.next;
    }
    return out;
  }

  async function refresh() {
    const mine = ++generation;
    try {
      const [waiting, posted, freshStats, week] = await Promise.all([
        SetdeskApi.get(QUEUE + "&page_size=" + Math.min(500, PAGE * pagesShown)),
        SetdeskApi.get(API + "/posts/?status=completed&ordering=-posted_at&page_size=20"),
        SetdeskApi.get(API + "/posts/stats/"),
        fetchWeek(),
      ]);
      if (mine !== generation) return; // a newer refresh is on its way
      posts = waiting.results.concat(posted.results);
      queueTotal = waiting.count;
      stats = freshStats;
      weekPosts = week;
      render();
    } catch (error) {
      P.notify("error", P.errorText(error));
    }
  }

  $("pub-more").addEventListener("click", function () {
    pagesShown = Math.min(pagesShown + 1, 10);
    refresh();
  });

  // --- the week calendar (Monday to Sunday in the team's zone) -------------------------------------
  let weekStart = startOfWeek(serverNow());
  let weekPosts = null;
  const dayName = new Intl.DateTimeFormat(undefined, { timeZone: tz, weekday: "short", day: "numeric", month: "short" });
  const hourMinute = new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

  function startOfWeek(ms) {
    const p = P.partsIn(ms, tz);
    const weekday = (new Date(Date.UTC(p.y, p.mo - 1, p.d)).getUTCDay() + 6) % 7; // Monday = 0
    const monday = new Date(Date.UTC(p.y, p.mo - 1, p.d - weekday));
    return P.fromZonedInput(monday.toISOString().slice(0, 10) + "T00:00", tz).getTime();
  }

  function dayStarts() {
    const out = [];
    const first = new Date(P.toZonedInput(new Date(weekStart).toISOString(), tz).slice(0, 10) + "T00:00:00Z");
    for (let i = 0; i <= 7; i++) {
      const d = new Date(first.getTime() + i * 86400000).toISOString().slice(0, 10);
      out.push(P.fromZonedInput(d + "T00:00", tz).getTime()); // DST-proof: local midnights
    }
    return out;
  }

  function fetchWeek() {
    const days = dayStarts();
    const url = API + "/posts/?status=pending&status=held&status=processing&status=failed&status=completed" +
      "&ordering=scheduled_time&page_size=500&scheduled_after=" + encodeURIComponent(new Date(days[0]).toISOString()) +
      "&scheduled_before=" + encodeURIComponent(new Date(days[7]).toISOString());
    return allPages(url);
  }

  function renderCalendar() {
    const box = $("pub-calendar");
    const days = dayStarts();
    $("pub-cal-range").textContent = dayName.format(new Date(days[0])) + " – " + dayName.format(new Date(days[6]));
    if (weekPosts === null) { box.textContent = "Loading…"; return; }
    const today = startOfDay(serverNow());
    box.replaceChildren();
    for (let i = 0; i < 7; i++) {
      const column = document.createElement("div");
      column.className = "pub-cal-day" + (days[i] === today ? " today" : "");
      const head = document.createElement("h3");
      head.textContent = dayName.format(new Date(days[i])) + (days[i] === today ? " · today" : "");
      column.append(head);
      const mine = weekPosts.filter(function (post) {
        const t = Date.parse(post.scheduled_time);
        return t >= days[i] && t < days[i + 1];
      });
      mine.forEach(function (post) {
        const item = document.createElement("button");
        item.type = "button";
        item.className = "pub-cal-post " + post.status;
        item.dataset.id = post.id;
        item.dataset.platform = post.platform;
        item.title = STATUS_LABELS[post.status] || post.status;
        item.textContent = hourMinute.format(new Date(post.scheduled_time)) + " " +
          (PLATFORM_LABELS[post.platform] || post.platform) + " · " + (post.video_title || "Video " + post.video);
        item.disabled = !(initial.can_manage && post.status === "pending");
        item.addEventListener("click", function () { openReschedule(post); });
        column.append(item);
      });
      if (!mine.length) {
        const none = document.createElement("p");
        none.className = "muted";
        none.textContent = "—";
        column.append(none);
      }
      box.append(column);
    }
  }

  function startOfDay(ms) {
    return P.fromZonedInput(P.toZonedInput(new Date(ms).toISOString(), tz).slice(0, 10) + "T00:00", tz).getTime();
  }

  async function showWeek(start) {
    weekStart = start;
    weekPosts = null;
    renderCalendar();
    try {
      weekPosts = await fetchWeek();
      renderCalendar();
    } catch (error) { P.notify("error", P.errorText(error)); }
  }

  $("pub-cal-prev").addEventListener("click", function () { showWeek(startOfWeek(weekStart - 3 * 86400000)); });
  $("pub-cal-next").addEventListener("click", function () { showWeek(startOfWeek(weekStart + 10 * 86400000)); });
  $("pub-cal-today").addEventListener("click", function () { showWeek(startOfWeek(serverNow())); });

  async function act(action, id) {
    P.notify("notice", "");
    const post = posts.find(function (p) { return String(p.id) === String(id); });
    if (action === "reschedule") { openReschedule(post); return; }
    if (action === "cancel" && !window.confirm("Cancel this post?")) return;
    try {
      if (action === "cancel") await SetdeskApi.del(API + "/posts/" + id + "/");
      else await SetdeskApi.post(API + "/posts/" + id + "/" + action + "/", {});
      P.notify("notice", { force: "Posting now.", retry: "Retrying.", cancel: "Cancelled." }[action]);
      await refresh();
    } catch (error) {
      P.notify("error", P.errorText(error));
      refresh();
    }
  }

  function openReschedule(post) {
    rescheduling = post;
    $("pub-reschedule-what").textContent = (post.video_title || "Video " + post.video) + " · " +
      (PLATFORM_LABELS[post.platform] || post.platform);
    $("pub-reschedule-time").value = P.toZonedInput(post.scheduled_time, tz);
    P.show($("pub-reschedule-error"), "");
    $("pub-reschedule-dialog").showModal();
  }

  $("pub-reschedule-cancel").addEventListener("click", function () { $("pub-reschedule-dialog").close(); });
  $("pub-reschedule-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    const moment = P.fromZonedInput($("pub-reschedule-time").value, tz);
    if (!moment) { P.show($("pub-reschedule-error"), "Pick a date and time."); return; }
    try {
      await SetdeskApi.patch(API + "/posts/" + rescheduling.id + "/", { scheduled_time: moment.toISOString() });
      $("pub-reschedule-dialog").close();
      P.notify("notice", "Rescheduled.");
      await refresh();
    } catch (error) {
      P.show($("pub-reschedule-error"), P.errorText(error));
    }
  });

  $("pub-queue").addEventListener("click", function (event) {
    const target = event.target.closest("button[data-action]");
    if (target) act(target.dataset.action, target.dataset.id);
  });

  // Scheduling form (social managers): the video's words previewed with per-platform counters
  // against the limits, and the platforms it already has a post on.
  const form = $("pub-schedule-form");
  let videos = [];
  if (form) {
    const platformList = $("pub-platform-list");
    initial.accounts.forEach(function (account) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "platforms";
      box.value = account.platform;
      box.disabled = !account.authenticated;
      box.checked = account.authenticated;
      box.dataset.authenticated = account.authenticated ? "1" : "";
      const note = document.createElement("span");
      note.className = "muted pub-platform-note";
      note.dataset.platform = account.platform;
      note.textContent = account.authenticated ? "" : " (not authenticated)";
      label.append(box, " " + (PLATFORM_LABELS[account.platform] || account.platform), note);
      platformList.append(label);
      box.addEventListener("change", updatePreview);
    });
    SetdeskApi.get(API + "/videos/?page_size=200&ordering=-created_at").then(function (page) {
      videos = page.results;
      const select = $("pub-video");
      select.replaceChildren();
      videos.forEach(function (video) {
        const option = document.createElement("option");
        option.value = video.id;
        const live = livePosts(video).map(function (p) { return PLATFORM_LABELS[p.platform] || p.platform; });
        option.textContent = (video.title || video.original_filename || video.source) +
          (live.length ? " — on " + live.join(", ") : "");
        select.append(option);
      });
      if (!videos.length) select.append(new Option("No videos yet", ""));
      // Default: the newest video not yet scheduled anywhere.
      const fresh = videos.find(function (v) { return !livePosts(v).length; });
      if (fresh) select.value = String(fresh.id);
      updatePreview();
    }).catch(function (error) { P.notify("error", P.errorText(error)); });
    $("pub-video").addEventListener("change", updatePreview);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      P.notify("notice", "");
      if (updatePreview()) return; // the counters already say what is wrong
      const platforms = Array.from(form.querySelectorAll("input[name=platforms]:checked")).map(function (b) { return b.value; });
      const body = { video: Number($("pub-video").value), platforms: platforms };
      const moment = P.fromZonedInput($("pub-time").value, tz);
      if (moment) body.scheduled_time = moment.toISOString();
      try {
        const created = await SetdeskApi.post(API + "/posts/", body);
        P.notify("notice", "Scheduled " + created.length + " post(s) for " + when(created[0].scheduled_time) + ".");
        const page = await SetdeskApi.get(API + "/videos/?page_size=200&ordering=-created_at");
        videos = page.results;
        updatePreview();
        await refresh();
      } catch (error) {
        P.notify("error", P.errorText(error));
      }
    });
  }

  function livePosts(video) {
    return (video.posts || []).filter(function (p) { return p.status !== "cancelled"; });
  }

  function hashtagCount(video) {
    const tags = new Set((video.hashtags || []).map(function (t) { return t.replace(/^#/, "").toLowerCase(); }));
    (video.caption || "").replace(/#(\w+)/gu, function (_, tag) { tags.add(tag.toLowerCase()); return _; });
    return tags.size;
  }

  // Renders the preview and counters; returns a reason the schedule button refuses, or "".
  function updatePreview() {
    const video = videos.find(function (v) { return String(v.id) === $("pub-video").value; });
    const box = $("pub-preview");
    const button = $("pub-schedule-button");
    if (!video) { box.hidden = true; button.disabled = true; return "no video"; }
    box.hidden = false;
    $("pub-preview-title").textContent = video.title || "(no title)";
    $("pub-preview-caption").textContent = video.caption || "(no caption)";
    $("pub-preview-tags").textContent = (video.hashtags || []).join(" ");
    const taken = {};
    livePosts(video).forEach(function (p) { taken[p.platform] = p; });
    const counters = $("pub-counters");
    counters.replaceChildren();
    let problem = "";
    form.querySelectorAll("input[name=platforms]").forEach(function (box) {
      const platform = box.value;
      const note = form.querySelector('.pub-platform-note[data-platform="' + platform + '"]');
      const post = taken[platform];
      if (post) {
        box.checked = false;
        box.disabled = true;
        note.textContent = " (already " + (STATUS_LABELS[post.status] || post.status).toLowerCase() + " · " + when(post.scheduled_time) + ")";
      } else if (box.dataset.authenticated) {
        box.disabled = false;
        note.textContent = "";
      }
      const limits = initial.limits[platform];
      if (!limits) return;
      const item = document.createElement("li");
      item.dataset.platform = platform;
      const parts = [];
      let over = false;
      function count(name, value, max) {
        if (max === null || max === undefined) return;
        const bad = value > max;
        over = over || bad;
        const span = document.createElement("span");
        span.className = "pub-count" + (bad ? " over" : "");
        span.textContent = name + " " + value.toLocaleString() + "/" + max.toLocaleString();
        parts.push(span);
      }
      count("title", (video.title || "").length, limits.title_max);
      count(limits.caption_name, (video.caption || "").length, limits.caption_max);
      count("hashtags", hashtagCount(video), limits.hashtags_max);
      const name = document.createElement("strong");
      name.textContent = limits.label + ": ";
      item.append(name);
      parts.forEach(function (span, i) { if (i) item.append(" · "); item.append(span); });
      if (limits.title_required && !(video.title || "").trim()) {
        over = true;
        item.append(" · ", Object.assign(document.createElement("span"), { className: "pub-count over", textContent: "needs a title" }));
      }
      item.className = over ? "over" : "";
      counters.append(item);
      if (over && box.checked) problem = problem || limits.label + " limits: shorten the video's words first.";
    });
    const anyChecked = form.querySelector("input[name=platforms]:checked");
    if (!anyChecked && !problem) problem = "Pick a platform.";
    button.disabled = Boolean(problem);
    button.title = problem;
    return problem;
  }

  render();
  showWeek(weekStart);
  setInterval(tick, 1000);
  P.follow(initial.groups, refresh, 60000);
})();
