(function () {
  "use strict";
  var FIGS = JSON.parse(document.getElementById("vf-figures").textContent);
  var META = JSON.parse(document.getElementById("vf-meta").textContent);
  var CONFIG = META.config, TEMPLATE = META.template;
  var table = document.getElementById("shortlist");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var catSel = document.getElementById("vf-category");
  var jurorSel = document.getElementById("vf-juror");
  var filterIn = document.getElementById("vf-filter");
  var onlyRec = document.getElementById("vf-only-rec");
  var current = null;

  function draw(divId, key) {
    var div = document.getElementById(divId);
    if (window.Plotly && div.classList.contains("js-plotly-plot")) { Plotly.purge(div); }
    div.textContent = "";
    var fig = FIGS[key];
    if (!fig) { div.textContent = META.text.none; return; }
    var layout = JSON.parse(JSON.stringify(fig.layout));
    layout.template = TEMPLATE;
    Plotly.newPlot(div, JSON.parse(JSON.stringify(fig.data)), layout, CONFIG);
  }
  function conflictsOf(tr) {
    var c = tr.getAttribute("data-conflicts");
    return c ? c.split(" ") : [];
  }
  function excluded(tr) {
    var me = jurorSel.value;
    return me !== "" && conflictsOf(tr).indexOf(me) >= 0;
  }
  function applyFilter() {
    var cat = catSel.value, q = filterIn.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (tr) {
      var ok = tr.getAttribute("data-category") === cat;
      if (ok && onlyRec.checked) { ok = tr.getAttribute("data-recommended") === "1"; }
      if (ok && q) { ok = tr.textContent.toLowerCase().indexOf(q) >= 0; }
      tr.hidden = !ok;
      var ex = excluded(tr);
      tr.classList.toggle("conflict", ex);
      var conf = tr.querySelector("td.conf");
      if (ex) { conf.setAttribute("data-label", META.text.conflict); } else { conf.removeAttribute("data-label"); }
      var box = tr.querySelector("input.cmp");
      box.disabled = ex;
      if (ex) { box.checked = false; }
      if (ok) { n += 1; }
    });
    document.getElementById("vf-count").textContent = n + " " + META.text.rows;
  }
  function showCategory() {
    rows.forEach(function (tr) { tr.querySelector("input.cmp").checked = false; });
    applyFilter();
    draw("vf-fig-ranks", "ranks:" + catSel.value);
    draw("vf-fig-visits", "visits:" + catSel.value);
    draw("vf-fig-compare", "compare:" + catSel.value);
    var first = rows.filter(function (tr) { return !tr.hidden; })[0];
    select(first ? first.getAttribute("data-entry") : null);
  }
  function select(entry) {
    current = entry;
    rows.forEach(function (tr) { tr.classList.toggle("selected", tr.getAttribute("data-entry") === entry); });
    Array.prototype.forEach.call(document.querySelectorAll("section.detail"), function (s) {
      var mine = s.getAttribute("data-entry") === entry;
      s.hidden = !mine;
      if (mine) {
        var tr = tbody.querySelector('tr[data-entry="' + CSS.escape(entry) + '"]');
        s.querySelector(".banner").hidden = !(tr && excluded(tr));
      }
    });
    if (entry) { draw("vf-fig-profile", "profile:" + entry); }
  }
  function updateCompare() {
    var div = document.getElementById("vf-fig-compare");
    if (!div.data) { return; }
    var picked = rows.filter(function (tr) { return !tr.hidden && tr.querySelector("input.cmp").checked; })
                     .map(function (tr) { return tr.getAttribute("data-entry"); });
    if (picked.length > 3) { return false; }
    var ids = FIGS["compare:" + catSel.value].ids;
    var vis = ids.map(function (id) { return picked.indexOf(id) >= 0 ? true : "legendonly"; });
    Plotly.restyle(div, { visible: vis });
    return true;
  }
  function sortBy(th) {
    var key = th.getAttribute("data-key"), num = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
      if (c.hasAttribute("data-key")) { c.setAttribute("aria-sort", "none"); }
    });
    th.setAttribute("aria-sort", dir);
    var idx = th.cellIndex, sign = dir === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      var va = a.cells[idx].getAttribute("data-value"), vb = b.cells[idx].getAttribute("data-value");
      if (num) {
        var fa = va === "" ? Infinity : parseFloat(va), fb = vb === "" ? Infinity : parseFloat(vb);
        if (fa === fb) { return 0; }
        if (fa === Infinity) { return 1; }
        if (fb === Infinity) { return -1; }
        return sign * (fa - fb);
      }
      return sign * va.localeCompare(vb, META.lang);
    });
    rows.forEach(function (tr) { tbody.appendChild(tr); });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (!th.hasAttribute("data-key")) { return; }
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { sortBy(th); } });
  });
  rows.forEach(function (tr) {
    tr.addEventListener("click", function (ev) {
      if (ev.target.classList.contains("cmp")) { return; }
      select(tr.getAttribute("data-entry"));
    });
    tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(tr.getAttribute("data-entry")); } });
    tr.querySelector("input.cmp").addEventListener("change", function (ev) {
      if (updateCompare() === false) { ev.target.checked = false; updateCompare(); }
    });
  });
  catSel.addEventListener("change", showCategory);
  jurorSel.addEventListener("change", function () { applyFilter(); updateCompare(); select(current); });
  filterIn.addEventListener("input", applyFilter);
  onlyRec.addEventListener("change", applyFilter);
  showCategory();
  document.body.setAttribute("data-ready", "1");
})();
