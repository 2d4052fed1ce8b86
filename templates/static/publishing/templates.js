// AI templates: pick one to edit, save, set as active (exactly one), delete, and try a prompt.
(function () {
  "use strict";
  const P = window.SetdeskPublishing;
  const initial = JSON.parse(document.getElementById("pub-initial").textContent);
  const API = "/api/v1/publishing";
  const $ = function (id) { return document.getElementById(id); };

  let templates = initial.templates;
  let selectedId = (templates.find(function (t) { return t.is_active; }) || templates[0] || {}).id || null;
  // Unsaved typing in the editor survives live refreshes (a socket event or a
  // reconnect re-reads the list); only choosing a template or saving replaces it.
  let editorDirty = false;

  function selected() { return templates.find(function (t) { return t.id === selectedId; }) || null; }

  function fillEditor(keepTyping) {
    const t = selected();
    if (!(keepTyping && editorDirty)) {
      $("tpl-name").value = t ? t.name : "";
      $("tpl-prompt").value = t ? t.prompt_text : initial.default_prompt;
      editorDirty = false;
    }
    $("tpl-active-flag").hidden = !(t && t.is_active);
    if ($("tpl-activate")) $("tpl-activate").disabled = !t || t.is_active;
    if ($("tpl-delete")) $("tpl-delete").disabled = !t;
  }

  function renderList() {
    const list = $("tpl-list");
    list.replaceChildren.apply(list, templates.map(function (t) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.id = t.id;
      b.setAttribute("aria-pressed", String(t.id === selectedId));
      const name = document.createElement("strong");
      name.textContent = t.name + (t.is_active ? " ✓ active" : "");
      const preview = document.createElement("span");
      preview.className = "preview";
      preview.textContent = t.prompt_text;
      b.append(name, preview);
      li.append(b);
      return li;
    }));
    $("tpl-default-note").hidden = templates.some(function (t) { return t.is_active; });
  }

  function render(keepTyping) { renderList(); fillEditor(keepTyping); }

  async function refresh() {
    try {
      const page = await SetdeskApi.get(API + "/templates/?page_size=500&ordering=name");
      templates = page.results;
      const stillThere = selectedId === null || selected();
      if (!stillThere) selectedId = templates.length ? templates[0].id : null;
      render(stillThere);
    } catch (error) {
      P.show($("tpl-error"), P.errorText(error));
    }
  }

  function done(text) { P.show($("tpl-error"), ""); P.show($("tpl-notice"), text); }
  function failed(error) { P.show($("tpl-notice"), ""); P.show($("tpl-error"), P.errorText(error)); }

  ["tpl-name", "tpl-prompt"].forEach(function (id) {
    $(id).addEventListener("input", function () { editorDirty = true; });
  });

  $("tpl-list").addEventListener("click", function (event) {
    const b = event.target.closest("button[data-id]");
    if (!b) return;
    selectedId = Number(b.dataset.id);
    render();
  });

  if ($("tpl-new")) {
    $("tpl-new").addEventListener("click", function () {
      selectedId = null;
      render();
      $("tpl-name").focus();
    });
  }

  $("tpl-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    const body = { name: $("tpl-name").value, prompt_text: $("tpl-prompt").value };
    try {
      const saved = selectedId === null
        ? await SetdeskApi.post(API + "/templates/", body)
        : await SetdeskApi.patch(API + "/templates/" + selectedId + "/", body);
      selectedId = saved.id;
      editorDirty = false;
      done("Saved " + saved.name + ".");
      await refresh();
    } catch (error) { failed(error); }
  });

  if ($("tpl-activate")) {
    $("tpl-activate").addEventListener("click", async function () {
      try {
        const active = await SetdeskApi.post(API + "/templates/" + selectedId + "/activate/", {});
        done(active.name + " is now the active template.");
        await refresh();
      } catch (error) { failed(error); }
    });
  }

  if ($("tpl-delete")) {
    $("tpl-delete").addEventListener("click", async function () {
      const t = selected();
      if (!t || !window.confirm("Delete " + t.name + "?")) return;
      try {
        await SetdeskApi.del(API + "/templates/" + t.id + "/");
        selectedId = null;
        editorDirty = false;
        done("Deleted " + t.name + ".");
        await refresh();
      } catch (error) { failed(error); }
    });
  }

  $("tpl-test-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    const button = $("tpl-test-run");
    const label = button ? button.textContent : "";
    if (button) { button.disabled = true; button.textContent = "Generating…"; button.setAttribute("aria-busy", "true"); }
    P.show($("tpl-notice"), "");
    P.show($("tpl-error"), "");
    $("tpl-test-result").hidden = true;
    try {
      const result = await SetdeskApi.post(API + "/test-prompt/", {
        prompt: $("tpl-prompt").value,
        filename: $("tpl-test-filename").value,
        game_context: $("tpl-test-context").value,
      });
      $("tpl-result-title").textContent = result.title;
      $("tpl-result-caption").textContent = result.caption;
      $("tpl-result-hashtags").textContent = result.hashtags.join(" ");
      $("tpl-test-result").hidden = false;
      P.show($("tpl-error"), "");
    } catch (error) { failed(error); } finally {
      if (button) { button.disabled = false; button.textContent = label; button.removeAttribute("aria-busy"); }
    }
  });

  render();
  P.follow(initial.groups, refresh, 120000);
})();
