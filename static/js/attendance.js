// Attendance screen: each tap is saved at once; what could not be sent waits in this
// browser (localStorage) and is sent again on reconnect or on the next load.
(function () {
  const root = document.getElementById("attendance");
  if (!root) return;
  const url = root.dataset.url;
  const storeKey = "attendance:" + root.dataset.meeting;
  const csrf = document.body.getAttribute("hx-headers") ? JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] : "";
  const pendingBox = document.getElementById("attendance-pending");
  const items = Array.from(root.querySelectorAll(".attendance-item"));
  const byMember = new Map(items.map((item) => [item.dataset.member, item]));

  function fold(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
  }

  function loadPending() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function savePending(pending) {
    if (Object.keys(pending).length) localStorage.setItem(storeKey, JSON.stringify(pending));
    else localStorage.removeItem(storeKey);
    pendingBox.classList.toggle("d-none", !Object.keys(pending).length);
    pendingBox.textContent = root.dataset.msgOffline + " (" + Object.keys(pending).length + ")";
  }

  function show(item, status, reason) {
    item.dataset.status = status;
    item.dataset.reason = reason || "";
    item.querySelectorAll(".attendance-btn").forEach((button) => {
      button.setAttribute("aria-pressed", button.dataset.status === status ? "true" : "false");
    });
    const box = item.querySelector(".attendance-reason");
    box.classList.toggle("d-none", status !== "excused");
    if (status === "excused" && reason !== undefined) box.querySelector("input").value = reason;
    counts();
  }

  function counts() {
    const tally = { present: 0, excused: 0, unexcused: 0, "": 0 };
    items.forEach((item) => { tally[item.dataset.status || ""] += 1; });
    root.querySelectorAll("[data-count]").forEach((cell) => { cell.textContent = tally[cell.dataset.count]; });
  }

  async function send(member, status, reason) {
    const item = byMember.get(member);
    const error = item.querySelector(".attendance-error");
    const state = item.querySelector("[data-state]");
    const body = new URLSearchParams({ member: member, status: status, reason: reason || "", version: item.dataset.version });
    let response;
    try {
      response = await fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
    } catch (e) {
      const pending = loadPending();
      pending[member] = { status: status, reason: reason || "", version: item.dataset.version };
      savePending(pending);
      item.classList.add("pending");
      return false;
    }
    const data = await response.json().catch(() => ({ error: root.dataset.msgError }));
    const pending = loadPending();
    delete pending[member];
    savePending(pending);
    item.classList.remove("pending");
    if (response.ok) {
      item.dataset.version = data.version;
      error.textContent = "";
      state.textContent = root.dataset.msgSaved + " " + data.at;
      show(item, data.status, data.reason);
      return true;
    }
    if (response.status === 409) {
      // Someone else saved first: show what they saved, keep their update.
      item.dataset.version = data.version;
      show(item, data.status, data.reason);
    } else {
      show(item, item.dataset.savedStatus || "", item.dataset.savedReason || "");
    }
    error.textContent = data.error || root.dataset.msgError;
    return false;
  }

  items.forEach((item) => {
    item.dataset.savedStatus = item.dataset.status;
    item.dataset.savedReason = item.dataset.reason;
  });

  root.addEventListener("click", function (event) {
    const button = event.target.closest(".attendance-btn, .attendance-reason-save");
    if (!button || button.disabled) return;
    const item = button.closest(".attendance-item");
    const member = item.dataset.member;
    if (button.classList.contains("attendance-reason-save")) {
      const reason = item.querySelector(".attendance-reason input").value.trim();
      if (!reason) { item.querySelector(".attendance-error").textContent = root.dataset.msgReason; return; }
      send(member, "excused", reason).then((ok) => { if (ok) { item.dataset.savedStatus = "excused"; item.dataset.savedReason = reason; } });
      return;
    }
    const status = button.dataset.status;
    if (status === "excused") {
      // An excused absence needs its reason before it is saved.
      show(item, "excused");
      const input = item.querySelector(".attendance-reason input");
      if (input.value.trim()) send(member, "excused", input.value.trim());
      else input.focus();
      return;
    }
    show(item, status, "");
    send(member, status, "").then((ok) => { if (ok) { item.dataset.savedStatus = status; item.dataset.savedReason = ""; } });
  });

  root.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.closest(".attendance-reason input")) {
      event.preventDefault();
      event.target.closest(".attendance-reason").querySelector(".attendance-reason-save").click();
    }
  });

  document.getElementById("attendance-search").addEventListener("input", function (event) {
    const words = fold(event.target.value).split(" ").filter(Boolean);
    items.forEach((item) => {
      const name = " " + item.dataset.search;
      item.classList.toggle("d-none", !words.every((word) => name.includes(" " + word)));
    });
  });

  async function flush() {
    const pending = loadPending();
    for (const [member, entry] of Object.entries(pending)) {
      const item = byMember.get(member);
      if (!item || root.dataset.closed) { delete pending[member]; continue; }
      show(item, entry.status, entry.reason);
      item.classList.add("pending");
      // The version the tap was made against: if someone saved since, the server says so.
      item.dataset.version = entry.version;
      if (!(await send(member, entry.status, entry.reason))) break;
    }
    savePending(loadPending());
  }

  window.addEventListener("online", flush);
  counts();
  flush();
})();
