// The evaluation form saves itself: every change is kept in this browser at once
// (localStorage) and sent to the server; a dropped connection loses nothing, the
// draft is sent again when the connection is back or the page is opened again.
// Keyboard: 1, 2, 3… choose a level of the highlighted criterion and move on.
(function () {
  const form = document.getElementById("evaluation-form");
  if (!form) return;
  const storeKey = form.dataset.store;
  const state = document.getElementById("save-state");
  const errorBox = document.getElementById("save-error");
  const missingBox = document.getElementById("missing");
  const version = form.querySelector("input[name=lock_version]");
  let inFlight = false;
  let dirty = false;
  let timer = null;

  function data() {
    const body = new URLSearchParams(new FormData(form));
    body.delete("next");
    return body;
  }
  function keep() {
    localStorage.setItem(storeKey, JSON.stringify({ version: version.value, fields: Array.from(data().entries()) }));
  }
  function apply(values) {
    form.querySelectorAll("input[type=radio]").forEach((radio) => {
      const key = radio.name.startsWith("c_") ? radio.name.slice(2) : null;
      const chosen = key ? (values.answers || {})[key] : values.conclusion;
      radio.checked = chosen === radio.value;
    });
    form.querySelector("[name=remarks]").value = values.remarks || "";
    form.querySelector("[name=conclusion_details]").value = values.conclusion_details || "";
    form.querySelectorAll("textarea[name^=r_]").forEach((box) => { box.value = (values.criterion_remarks || {})[box.name.slice(2)] || ""; });
    showRecord();
  }
  // An answer the record contradicts (the server marks those levels with data-warning) shows the
  // warning and asks for a remark; signing is refused without one.
  function showRecord() {
    const needed = [];
    form.querySelectorAll("[data-remark-for]").forEach((box) => {
      const group = box.closest("fieldset");
      const chosen = group.querySelector("input[type=radio]:checked");
      const warning = chosen ? chosen.dataset.warning || "" : "";
      const alert = box.querySelector(".record-warning");
      const remark = box.querySelector("textarea");
      alert.textContent = warning;
      alert.hidden = !warning;
      box.hidden = !warning && !remark.value.trim();
      if (warning && !remark.value.trim()) needed.push(group.querySelector("legend").textContent.split(".")[0]);
    });
    return needed;
  }
  let serverMissing = [];
  function showMissing() {
    const needed = showRecord();
    const parts = [];
    if (serverMissing.length) parts.push(form.dataset.msgMissing + " " + serverMissing.join(", "));
    if (needed.length) parts.push(form.dataset.msgRemarks + " " + needed.join(", "));
    missingBox.textContent = parts.length ? parts.join("; ") : form.dataset.msgComplete;
  }
  function showErrors(fields) {
    form.querySelectorAll(".field-error").forEach((box) => { box.textContent = (fields || {})[box.dataset.field] ? fields[box.dataset.field].join(" ") : ""; });
  }

  async function send() {
    if (inFlight) { dirty = true; return false; }
    inFlight = true;
    dirty = false;
    state.textContent = form.dataset.msgSaving;
    let response;
    try {
      response = await fetch(window.location.pathname, {
        method: "POST", body: data(), credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      });
    } catch (e) {
      inFlight = false;
      state.textContent = "";
      errorBox.textContent = form.dataset.msgOffline;
      return false;
    }
    const result = await response.json().catch(() => ({ error: form.dataset.msgError }));
    inFlight = false;
    if (response.ok) {
      version.value = result.lock_version;
      errorBox.textContent = "";
      showErrors({});
      state.textContent = form.dataset.msgSaved + " " + result.at;
      serverMissing = result.missing;
      showMissing();
      if (dirty) { keep(); return send(); }
      localStorage.removeItem(storeKey);
      return true;
    }
    state.textContent = "";
    if (response.status === 409) {
      // Someone else saved first: show what they saved; nothing is overwritten silently.
      version.value = result.lock_version;
      apply(result);
      localStorage.removeItem(storeKey);
    } else if (response.status >= 500) {
      errorBox.textContent = form.dataset.msgError;
      return false;
    }
    errorBox.textContent = result.error || form.dataset.msgError;
    showErrors(result.fields);
    return false;
  }

  function changed(delay) {
    keep();
    clearTimeout(timer);
    timer = setTimeout(send, delay);
  }
  form.addEventListener("change", (event) => { if (event.target.type === "radio") { showRecord(); changed(0); } });
  form.addEventListener("input", (event) => { if (event.target.tagName === "TEXTAREA") changed(800); });
  window.addEventListener("online", () => { if (localStorage.getItem(storeKey)) send(); });
  setInterval(() => { if (localStorage.getItem(storeKey) && !inFlight) send(); }, 15000);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    keep();
    // A save already on its way finishes first; this one then carries the newest answers.
    while (inFlight) await new Promise((resolve) => setTimeout(resolve, 50));
    if (await send()) {
      const next = form.querySelector("[name=next]");
      window.location.href = next ? next.value : document.querySelector(".breadcrumb a").href;
    }
  });

  // Keyboard: the criterion holding the focus takes 1…n.
  const groups = Array.from(form.querySelectorAll("fieldset.criterion"));
  let current = groups[0];
  form.addEventListener("focusin", (event) => {
    const group = event.target.closest("fieldset.criterion");
    if (group) current = group;
  });
  document.addEventListener("keydown", (event) => {
    if (!current || event.ctrlKey || event.altKey || event.metaKey) return;
    if (["TEXTAREA", "INPUT"].includes(event.target.tagName) && event.target.type !== "radio") return;
    const n = parseInt(event.key, 10);
    const radios = current.querySelectorAll("input[type=radio]");
    if (!n || n > radios.length) return;
    event.preventDefault();
    radios[n - 1].checked = true;
    radios[n - 1].dispatchEvent(new Event("change", { bubbles: true }));
    const next = groups[groups.indexOf(current) + 1];
    if (next) { current = next; next.focus(); } else { form.querySelector("[name=conclusion_details]").focus(); }
  });

  // A draft this browser could not send last time goes first.
  const stored = localStorage.getItem(storeKey);
  if (stored) {
    const saved = JSON.parse(stored);
    const fields = new Map();
    saved.fields.forEach(([name, value]) => fields.set(name, value));
    const answers = {};
    fields.forEach((value, name) => { if (name.startsWith("c_")) answers[name.slice(2)] = value; });
    const criterionRemarks = {};
    fields.forEach((value, name) => { if (name.startsWith("r_")) criterionRemarks[name.slice(2)] = value; });
    apply({ answers: answers, conclusion: fields.get("conclusion"), remarks: fields.get("remarks"), conclusion_details: fields.get("conclusion_details"), criterion_remarks: criterionRemarks });
    version.value = saved.version;
    send();
  }
  showRecord();
  if (groups[0] && window.matchMedia("(min-width: 768px)").matches) groups[0].focus();
})();
