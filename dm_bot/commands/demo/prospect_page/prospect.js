/* The prospect simulator: send as a prospect, then poll the demo platform for the spa's replies. No inline script
   (the page's Content-Security-Policy forbids it); text is only ever set as text, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("sim");
  var thread = document.getElementById("sim-thread"), quick = document.getElementById("sim-quick");
  var channel = document.getElementById("channel"), name = document.getElementById("name");
  var input = document.getElementById("sim-text"), status = document.getElementById("sim-status");
  var last = 0, timer = null;

  function query() {
    return "channel=" + encodeURIComponent(channel.value) + "&name=" + encodeURIComponent(name.value.trim());
  }

  /* The spa's tracked booking links (this server's /b/...) open in a new tab, as a tap would: the click is
     counted in the funnel. Anything else stays text. */
  function appendText(parent, text) {
    var own = window.location.origin + "/b/";
    text.split(/(https?:\/\/\S+)/).forEach(function (part) {
      if (part.indexOf(own) === 0) {
        var a = document.createElement("a");
        a.href = part;
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = part;
        parent.appendChild(a);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function bubble(line) {
    var li = document.createElement("li");
    li.className = "bubble bubble-" + line.author + (line.human ? " bubble-human" : "");
    li.dataset.seq = line.seq;
    if (line.author === "business") {
      var who = document.createElement("span");
      who.className = "bubble-who";
      who.textContent = line.human ? "The spa (a person)" : "The spa";
      li.appendChild(who);
    }
    appendText(li, line.text);
    thread.appendChild(li);
    thread.scrollTop = thread.scrollHeight;
  }

  function quickReplies(options) {
    quick.textContent = "";
    options.forEach(function (option) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = option;
      b.addEventListener("click", function () { send(option); });
      quick.appendChild(b);
    });
  }

  function poll() {
    if (!name.value.trim()) { return; }
    fetch("/demo/prospect/messages?" + query() + "&after=" + last, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : { lines: [] }; })
      .then(function (data) {
        data.lines.forEach(function (line) {
          if (line.seq > last) { last = line.seq; bubble(line); }
          if (line.author === "business") { quickReplies(line.quick_replies || []); }
        });
      })
      .catch(function () { status.textContent = "The demo server did not answer."; });
  }

  function restart() {
    thread.textContent = "";
    quick.textContent = "";
    last = 0;
    document.getElementById("phone-channel").textContent = channel.options[channel.selectedIndex].text;
    poll();
  }

  function send(text) {
    text = (text || "").trim();
    if (!text || !name.value.trim()) { return; }
    quick.textContent = "";
    status.textContent = "Sending through the signed webhook…";
    fetch("/demo/prospect/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Demo-Token": root.dataset.token },
      body: JSON.stringify({ channel: channel.value, name: name.value.trim(), text: text })
    }).then(function (r) {
      return r.json().then(function (data) {
        status.textContent = r.ok ? "Delivered: the webhook answered " + data.webhook_status + "."
                                  : "Not delivered (the webhook answered " + data.webhook_status + ").";
        poll();
      });
    }).catch(function () { status.textContent = "Not sent: the demo server did not answer."; });
  }

  document.getElementById("sim-send").addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
    input.value = "";
  });
  Array.prototype.forEach.call(document.querySelectorAll(".try"), function (b) {
    b.addEventListener("click", function () { send(b.dataset.text); });
  });
  channel.addEventListener("change", restart);
  name.addEventListener("change", restart);
  restart();
  timer = window.setInterval(poll, 700);
  root.dataset.ready = "1";  /* browser tests wait for this */
  window.addEventListener("beforeunload", function () { window.clearInterval(timer); });
}());
