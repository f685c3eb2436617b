// A button with data-confirm asks before it acts (the Content-Security-Policy allows no inline handlers).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// Commune picker: clicking a search result fills the commune code field.
document.addEventListener("click", function (event) {
  const item = event.target.closest("[data-commune-code]");
  if (!item) return;
  event.preventDefault();
  const input = document.getElementById(item.dataset.target);
  if (input) {
    input.value = item.dataset.communeCode;
    const label = document.getElementById(item.dataset.target + "_label");
    if (label) label.textContent = item.dataset.communeName;
  }
  const box = item.closest(".commune-results");
  if (box) box.innerHTML = "";
});

// A "select all" box ticks every checkbox of the same name in its form.
document.addEventListener("change", function (event) {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  all.form.querySelectorAll(`input[type=checkbox][name="${all.dataset.checkAll}"]`).forEach(function (box) {
    box.checked = all.checked;
  });
});

// "Select all ready": ticks the rows marked ready (complete drafts) in the same form.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-check-ready]");
  if (!button) return;
  button.form.querySelectorAll("input[type=checkbox][data-ready]").forEach(function (box) {
    box.checked = true;
  });
});

// The unread-notices badge in the header: fetched after the page loads, so no page pays a query for it.
(function () {
  const link = document.querySelector("[data-unread-url]");
  if (!link) return;
  const badge = link.querySelector("[data-unread-count]");
  function refresh() {
    fetch(link.dataset.unreadUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
        badge.classList.toggle("d-none", data.unread === 0);
      })
      .catch(function () {});
  }
  refresh();
  setInterval(refresh, 120000);
})();

// Print buttons (reports): no inline handlers, so the page keeps a strict content policy.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
