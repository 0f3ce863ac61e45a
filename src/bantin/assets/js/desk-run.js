// The desk's run page: follow a run stage by stage (its JSON), then reload once it ends.
// Without JavaScript the page refreshes itself (a meta refresh in <noscript>).
(function () {
  "use strict";
  var root = document.getElementById("run");
  if (!root || root.dataset.finished === "true") { return; }
  var url = root.dataset.json;
  function show(data) {
    document.getElementById("run-state-label").textContent = data.state_label;
    document.getElementById("run-message").textContent = data.message;
    var list = document.getElementById("run-stages");
    if (data.stages.length) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      data.stages.forEach(function (s) {
        var li = document.createElement("li");
        li.className = "stage stage-" + s.state;
        li.textContent = s.label + ": " + s.state_label;
        list.appendChild(li);
      });
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { setTimeout(poll, 5000); return; }
        show(data);
        if (data.finished) { window.location.reload(); } else { setTimeout(poll, 2000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
