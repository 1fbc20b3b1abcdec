// The group mail progress page: poll the batch's counts every 2 s and update them in place
// (aria-live regions announce the change); reload once when it is finished, so the failed
// mails and the retry button appear. Without JS the page has a Refresh link.
(function () {
  "use strict";
  const section = document.querySelector(".groupmail-progress");
  if (!section || section.dataset.done === "yes") return;
  const url = section.dataset.statusUrl;
  const state = document.getElementById("batch-state");

  function update(counts) {
    for (const key of ["total", "queued", "sending", "sent", "failed"]) {
      const cell = section.querySelector('[data-count="' + key + '"]');
      if (cell && cell.textContent !== String(counts[key])) cell.textContent = counts[key];
    }
    if (counts.done) {
      state.textContent = counts.sent === counts.total ? "All sent." : "Finished: " + counts.failed + " failed.";
      if (counts.failed) window.location.reload();
      return true;
    }
    return false;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (!counts || !update(counts)) window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
