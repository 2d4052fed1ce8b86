// Tiny fetch wrapper for the dashboards: session auth + CSRF, JSON in and out.
(function () {
  "use strict";
  function csrfToken() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  async function request(method, url, body) {
    const init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
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
    post: function (url, body) { return request("POST", url, body || {}); },
    put: function (url, body) { return request("PUT", url, body); },
    patch: function (url, body) { return request("PATCH", url, body); },
    del: function (url) { return request("DELETE", url); },
  };
})();
