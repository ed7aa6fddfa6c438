// The submission page's live status: asks the service every second while
// the submission waits or runs, then shows the page again with its result.
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box) { return; }
  var url = box.getAttribute("data-status");
  function show(view) {
    var status = document.getElementById("status");
    var place = document.getElementById("position");
    if (status) { status.textContent = view.status; }
    if (place) {
      if (view.status === "queued") {
        place.textContent = "place in the queue: " + view.position +
          (view.estimate_seconds ? " (about " + Math.round(view.estimate_seconds) + " s)" : "");
      } else if (view.status === "running") {
        place.textContent = "being graded now";
      } else {
        place.textContent = "";
      }
    }
    if (view.status !== "queued" && view.status !== "running") {
      window.location.reload();
      return true;
    }
    return false;
  }
  function ask() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.json(); })
      .then(function (view) { if (!show(view)) { setTimeout(ask, 1000); } })
      .catch(function () { setTimeout(ask, 3000); });
  }
  setTimeout(ask, 1000);
}());
