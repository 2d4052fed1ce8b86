// The publishing queue: stats, every waiting / posting / failed post with a countdown to the
// second, the last posted ones, and the Post now / Reschedule / Cancel / Retry actions.
// The server decides everything; the page only ticks the countdowns between refreshes.
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

  async function refresh() {
    const mine = ++generation;
    try {
      const [waiting, posted, freshStats] = await Promise.all([
        SetdeskApi.get(API + "/posts/?status=pending&status=processing&status=failed&ordering=scheduled_time&page_size=500"),
        SetdeskApi.get(API + "/posts/?status=completed&ordering=-posted_at&page_size=20"),
        SetdeskApi.get(API + "/posts/stats/"),
      ]);
      if (mine !== generation) return; // a newer refresh is on its way
      posts = waiting.results.concat(posted.results);
      stats = freshStats;
      render();
    } catch (error) {
      P.show($("pub-error"), P.errorText(error));
    }
  }

  async function act(action, id) {
    P.show($("pub-error"), "");
    const post = posts.find(function (p) { return String(p.id) === String(id); });
    if (action === "reschedule") { openReschedule(post); return; }
    if (action === "cancel" && !window.confirm("Cancel this post?")) return;
    try {
      if (action === "cancel") await SetdeskApi.del(API + "/posts/" + id + "/");
      else await SetdeskApi.post(API + "/posts/" + id + "/" + action + "/", {});
      P.show($("pub-notice"), { force: "Posting now.", retry: "Retrying.", cancel: "Cancelled." }[action]);
      await refresh();
    } catch (error) {
      P.show($("pub-error"), P.errorText(error));
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
      P.show($("pub-notice"), "Rescheduled.");
      await refresh();
    } catch (error) {
      P.show($("pub-reschedule-error"), P.errorText(error));
    }
  });

  $("pub-queue").addEventListener("click", function (event) {
    const target = event.target.closest("button[data-action]");
    if (target) act(target.dataset.action, target.dataset.id);
  });

  // Scheduling form (social managers).
  const form = $("pub-schedule-form");
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
      label.append(box, " " + (PLATFORM_LABELS[account.platform] || account.platform) +
        (account.authenticated ? "" : " (not authenticated)"));
      platformList.append(label);
    });
    SetdeskApi.get(API + "/videos/?page_size=200&ordering=-created_at").then(function (page) {
      const select = $("pub-video");
      select.replaceChildren();
      page.results.forEach(function (video) {
        const option = document.createElement("option");
        option.value = video.id;
        option.textContent = video.title || video.original_filename || video.source;
        select.append(option);
      });
      if (!page.results.length) select.append(new Option("No videos yet", ""));
    }).catch(function (error) { P.show($("pub-error"), P.errorText(error)); });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      P.show($("pub-error"), "");
      const platforms = Array.from(form.querySelectorAll("input[name=platforms]:checked")).map(function (b) { return b.value; });
      const body = { video: Number($("pub-video").value), platforms: platforms };
      const moment = P.fromZonedInput($("pub-time").value, tz);
      if (moment) body.scheduled_time = moment.toISOString();
      try {
        const created = await SetdeskApi.post(API + "/posts/", body);
        P.show($("pub-notice"), "Scheduled " + created.length + " post(s) for " + when(created[0].scheduled_time) + ".");
        await refresh();
      } catch (error) {
        P.show($("pub-error"), P.errorText(error));
      }
    });
  }

  render();
  setInterval(tick, 1000);
  P.follow(initial.groups, refresh, 60000);
})();
