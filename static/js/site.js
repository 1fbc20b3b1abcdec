// Progressive enhancement only: every page works without this file.
// Adds the visitor's local time next to deadlines shown in AoE and UTC.
document.addEventListener("DOMContentLoaded", () => {
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
