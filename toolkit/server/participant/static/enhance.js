// Optional: live "remaining budget / dots" on ballot forms. The forms work without it.
(function () {
  var form = document.querySelector("form[data-rule]");
  var out = document.getElementById("remaining");
  if (!form || !out) return;
  var rule = form.getAttribute("data-rule");
  var budget = Number(form.getAttribute("data-budget"));
  var dots = Number(form.getAttribute("data-dots"));
  var lang = document.documentElement.lang;
  function fmt(n) { return Math.round(n).toLocaleString(lang === "ja" ? "ja-JP" : "en-US"); }
  function update() {
    if (rule === "dot_votes") {
      var used = 0;
      form.querySelectorAll("input[data-count]").forEach(function (i) { used += Number(i.value) || 0; });
      out.textContent = (lang === "ja" ? "残りのドット: " : "Dots left: ") + (dots - used) + " / " + dots;
    } else {
      var spent = 0;
      form.querySelectorAll("input[data-cost]:checked").forEach(function (i) { spent += Number(i.getAttribute("data-cost")) || 0; });
      out.textContent = (lang === "ja" ? "残りの予算: " : "Budget left: ") + fmt(budget - spent) + (lang === "ja" ? " 円 / " : " yen of ") + fmt(budget) + (lang === "ja" ? " 円" : "");
    }
    out.className = (rule === "dot_votes" ? used > dots : spent > budget) ? "error" : "muted";
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
