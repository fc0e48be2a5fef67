// dm-bot staff pages: live updates by short polling, filters that apply on change. No framework, no CDN.
"use strict";
(function () {
  var POLL_MS = 3000;

  function stickToBottom(el) {
    if (el) { el.scrollTop = el.scrollHeight; }
  }

  function live(root) {
    var url = root.getAttribute("data-live-url");
    var version = root.getAttribute("data-version") || "";
    var badge = document.getElementById("live");
    var thread = document.getElementById("thread");
    stickToBottom(thread);

    function mark(ok) {
      if (!badge) { return; }
      badge.textContent = ok ? "Live" : "Reconnecting…";
      badge.classList.toggle("offline", !ok);
      if (ok) { badge.title = "Updated " + new Date().toLocaleTimeString(); }
    }

    function apply(data) {
      if (data.version === version) { return; }
      version = data.version;
      var nearBottom = thread && thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;
      Object.keys(data.parts).forEach(function (id) {
        var el = document.getElementById(id);
        // The parts are rendered by the server's templates with autoescape: prospect text arrives escaped.
        if (el) { el.innerHTML = data.parts[id]; }
      });
      if (nearBottom) { stickToBottom(thread); }
    }

    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 401) {
            window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
            throw new Error("logged out");
          }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) { apply(data); mark(true); })
        .catch(function () { mark(false); })
        .then(function () { window.setTimeout(tick, POLL_MS); });
    }
    window.setTimeout(tick, POLL_MS);
  }

  document.querySelectorAll("[data-live-url]").forEach(live);

  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("select, input[type=checkbox]").forEach(function (input) {
      input.addEventListener("change", function () { form.submit(); });
    });
  });

  // Ctrl/Cmd+Enter sends a reply.
  var reply = document.getElementById("reply-text");
  if (reply) {
    reply.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { reply.form.submit(); }
    });
  }
})();
