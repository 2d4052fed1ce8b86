// Tiny fetch wrapper for the dashboards: session auth + CSRF, JSON in and out.
(function () {
  "use strict";
  function csrfToken() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  async function request(method, url, body, headers) {
    const init = { method: method, credentials: "same-origin", headers: Object.assign({ Accept: "application/json" }, headers) };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
    // A weak signal can hold a request for minutes: give up (the caller may retry) after 30 s.
    if (window.AbortSignal && AbortSignal.timeout) init.signal = AbortSignal.timeout(30000);
    const response = await fetch(url, init);
    const data = response.status === 204 ? null : await response.json().catch(function () { return null; });
    if (!response.ok) {
      const error = new Error((data && data.detail) || response.statusText);
      error.status = response.status; error.data = data;
      throw error;
    }
    return data;
  }
  window.SetdeskApi = {
    get: function (url) { return request("GET", url); },
    // headers: e.g. {"Idempotency-Key": key} for an action a phone may replay.
    post: function (url, body, headers) { return request("POST", url, body || {}, headers); },
    put: function (url, body) { return request("PUT", url, body); },
    patch: function (url, body) { return request("PATCH", url, body); },
    del: function (url) { return request("DELETE", url); },
  };
})();
