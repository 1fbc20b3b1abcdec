// Progressive enhancement only: every page works without this file.
// Adds the visitor's local time next to deadlines shown in AoE and UTC, and moves focus to a
// form's error summary, whose links then focus the field they name.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target.closest('a[href^="#"]');
      const target = link && document.getElementById(link.hash.slice(1));
      if (!target) return;
      event.preventDefault();
      // The label (and hint) above the control stays in view, as GOV.UK does it.
      const label = document.querySelector(`label[for="${target.id}"]`) || target;
      label.scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }
  for (const el of document.querySelectorAll("time[data-local-time]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) continue;
    const local = document.createElement("span");
    local.className = "local-time";
    local.textContent = ` — your time: ${when.toLocaleString(undefined, {
      year: "numeric", month: "long", day: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short",
    })}`;
    const utc = el.nextElementSibling;
    (utc && utc.classList.contains("utc") ? utc : el).after(local);
  }
});
