// Optional: a live "dots / points / budget / credits left" line on ballot forms; the forms work
// without it. Every word comes from the page: the form's data-left is a catalog text with
// {left} and {total} in it, in the page's language.
(function () {
  var form = document.querySelector("form[data-counter]");
  var out = document.getElementById("remaining");
  if (!form || !out) return;
  var kind = form.getAttribute("data-counter");
  var total = Number(form.getAttribute("data-total")) || 0;
  var text = form.getAttribute("data-left") || "";
  var locale = document.documentElement.lang === "ja" ? "ja-JP" : "en-US";
  function fmt(n) { return Math.round(n).toLocaleString(locale); }
  function used() {
    var sum = 0;
    if (kind === "budget") {
      form.querySelectorAll("input[data-cost]:checked").forEach(function (i) {
        sum += Number(i.getAttribute("data-cost")) || 0;
      });
    } else {
      form.querySelectorAll("input[data-count]").forEach(function (i) {
        var n = Math.max(0, Number(i.value) || 0);
        sum += kind === "credits" ? n * n : n;  // quadratic voting: n votes cost n × n
      });
    }
    return sum;
  }
  function update() {
    var left = total - used();
    out.textContent = text.replace("{left}", fmt(left)).replace("{total}", fmt(total));
    out.className = left < 0 ? "count error" : "count";
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();

// Optional: pages with a live region (id="live", data-live-seconds="N") fetch themselves
// again every N seconds and replace the region's content when it changed (a ballot just
// opened, new votes), instead of a meta refresh that reloads the whole page. Hidden tabs do
// not fetch. Without JavaScript the page's reload link does the same.
(function () {
  var live = document.getElementById("live");
  if (!live || !window.fetch || !window.DOMParser) return;
  var seconds = Number(live.getAttribute("data-live-seconds")) || 0;
  if (seconds <= 0) return;
  function later() { window.setTimeout(poll, seconds * 1000); }
  function poll() {
    if (document.hidden) { later(); return; }
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (fresh) {
          if (fresh.innerHTML !== live.innerHTML) live.innerHTML = fresh.innerHTML;
          seconds = Number(fresh.getAttribute("data-live-seconds")) || 0;  // 0: closed, stop
        }
        if (seconds > 0) later();
      })
      .catch(later);
  }
  later();
})();

// Optional: a vote or survey form sends answer=here when this script runs (the field is
// disabled in the page), and the server answers with the receipt or the thanks in place of a
// redirect to it: one request fewer per phone in a crowd. That page then puts its own address
// in the address bar, so a reload, a bookmark or the back and forward buttons ask for it,
// never send the form again. Without the script the field stays off and the server redirects.
(function () {
  document.querySelectorAll("input[data-script-enables]").forEach(function (field) {
    field.disabled = false;
  });
  var page = document.querySelector("[data-address]");
  var address = page && page.getAttribute("data-address");
  if (address && window.history && window.history.replaceState && window.location.pathname !== address) {
    window.history.replaceState(null, "", address);
  }
})();
