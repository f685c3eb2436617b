// The rating form: the score is the sum of the groups' points when they are typed, and the level
// follows the score's band until the office chooses another one. The reason box is needed only
// for a level below the band; the server checks all of it again.
(function () {
  const form = document.getElementById("rating-form");
  if (!form) return;
  const bands = (form.dataset.bands || "").split(";").filter(Boolean).map(function (item) {
    const [code, low] = item.split(":");
    return { code: code, low: low === "" ? null : Number(low) };
  });
  const score = form.querySelector("[data-rating-score]");
  const level = form.querySelector("[data-rating-level]");
  const groups = Array.from(form.querySelectorAll("[data-rating-group]"));
  const reason = form.querySelector("[name=lower_reason]");
  const reasonBox = document.getElementById("div_id_lower_reason");
  let chosen = Boolean(level && level.value);

  function number(input) {
    const text = (input.value || "").trim().replace(",", ".");
    return text === "" || isNaN(Number(text)) ? null : Number(text);
  }
  function band(points) {
    for (const item of bands) if (item.low === null || points >= item.low) return item.code;
    return null;
  }
  function rank(code) {
    return bands.findIndex(function (item) { return item.code === code; });
  }
  function update() {
    if (!score) return;
    const parts = groups.map(number);
    if (parts.length && parts.every(function (p) { return p !== null; })) {
      score.value = String(Math.round(parts.reduce(function (a, b) { return a + b; }, 0) * 100) / 100);
    }
    const points = number(score);
    const top = points === null ? null : band(points);
    if (top && !chosen) level.value = top;
    if (reasonBox) reasonBox.hidden = !(top && level.value && rank(level.value) > rank(top)) && !reason.value;
  }
  groups.concat(score ? [score] : []).forEach(function (input) { input.addEventListener("input", update); });
  if (level) level.addEventListener("change", function () { chosen = Boolean(level.value); update(); });
  update();
})();
