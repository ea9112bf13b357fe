// sop handbook: sorting and filtering the index, and offline search.
// No network: the search index is a set of script files next to this one.
(function () {
  "use strict";
  var SOP = (window.SOP = window.SOP || {});
  var base = (document.currentScript && document.currentScript.src.replace(/assets\/site\.js(\?.*)?$/, "")) || "";

  // ---- search index loading (same tokenizer and hash as src/handbook/search.rs)
  var docs = null, shardCount = 1, shards = {}, waiting = {};
  SOP.searchDocs = function (list, count) { docs = list; shardCount = count; };
  SOP.searchShard = function (n, data) {
    shards[n] = data;
    (waiting[n] || []).forEach(function (f) { f(); });
    delete waiting[n];
  };
  function loadShard(n, done) {
    if (shards[n]) { done(); return; }
    if (waiting[n]) { waiting[n].push(done); return; }
    waiting[n] = [done];
    var s = document.createElement("script");
    s.src = base + "search/" + n + ".js";
    s.onerror = function () { shards[n] = {}; SOP.searchShard(n, {}); };
    document.head.appendChild(s);
  }
  function isCjk(cp) {
    return (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0x20000 && cp <= 0x2ffff);
  }
  var wordChar = /[\p{L}\p{N}]/u;
  function tokenize(text) {
    var out = [], word = "", cjk = [];
    function flushCjk() {
      if (cjk.length === 1) out.push(cjk[0]);
      for (var i = 0; i + 1 < cjk.length; i++) out.push(cjk[i] + cjk[i + 1]);
      cjk = [];
    }
    function flushWord() { if (Array.from(word).length > 1) out.push(word); word = ""; }
    for (var ch of text) {
      var cp = ch.codePointAt(0);
      if (isCjk(cp)) { if (word) flushWord(); cjk.push(ch); }
      else if (wordChar.test(ch)) { if (cjk.length) flushCjk(); word += ch.toLowerCase(); }
      else { if (cjk.length) flushCjk(); flushWord(); }
    }
    if (cjk.length) flushCjk();
    flushWord();
    return out;
  }
  function fnv1a(token) {
    var bytes = new TextEncoder().encode(token), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  SOP.search = function (query, done) {
    var tokens = Array.from(new Set(tokenize(query)));
    if (!docs || tokens.length === 0) { done([]); return; }
    var left = tokens.length;
    tokens.forEach(function (t) {
      loadShard(fnv1a(t) % shardCount, function () { if (--left === 0) finish(); });
    });
    function finish() {
      var scores = null;
      tokens.forEach(function (t) {
        var postings = shards[fnv1a(t) % shardCount][t] || [], next = {};
        for (var i = 0; i + 1 < postings.length; i += 2) {
          var d = postings[i];
          if (scores === null || d in scores) next[d] = (scores ? scores[d] : 0) + postings[i + 1];
        }
        scores = next;
      });
      var hits = Object.keys(scores || {}).map(function (d) { return [docs[d], scores[d]]; });
      hits.sort(function (a, b) { return b[1] - a[1] || (a[0][0] < b[0][0] ? -1 : 1); });
      done(hits.map(function (h) { return h[0]; }));
    }
  };

  function showResults(query) {
    var box = document.getElementById("search-results");
    if (!box) return;
    SOP.search(query, function (hits) {
      box.hidden = false;
      box.textContent = "";
      var h = document.createElement("h2");
      h.textContent = hits.length + " result" + (hits.length === 1 ? "" : "s") + " for “" + query + "”";
      box.appendChild(h);
      var ol = document.createElement("ol");
      hits.slice(0, 100).forEach(function (doc) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = doc[2]; a.textContent = doc[0] + " " + doc[1];
        li.appendChild(a); ol.appendChild(li);
      });
      box.appendChild(ol);
    });
  }

  // ---- index table: filters and sorting
  function setupTable() {
    var table = document.querySelector("table.index");
    if (!table) return;
    var filters = Array.from(document.querySelectorAll("select[data-filter]"));
    function apply() {
      var want = {};
      filters.forEach(function (s) { want[s.dataset.filter] = s.value; });
      table.querySelectorAll("tbody").forEach(function (body) {
        var shown = 0;
        body.querySelectorAll("tr[data-owner]").forEach(function (row) {
          var ok = (!want.owner || row.dataset.owner === want.owner) &&
            (!want.status || row.dataset.status === want.status) &&
            (!want.tag || row.dataset.tags.split("\u001f").indexOf(want.tag) >= 0);
          row.hidden = !ok;
          if (ok) shown++;
        });
        body.hidden = shown === 0;
      });
    }
    filters.forEach(function (s) { s.addEventListener("change", apply); });
    table.querySelectorAll("th[data-sort]").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th[data-sort]").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var index = Array.from(th.parentNode.children).indexOf(th);
        var version = th.dataset.sort === "version";
        var number = th.dataset.sort === "number";
        table.querySelectorAll("tbody").forEach(function (body) {
          var rows = Array.from(body.querySelectorAll("tr[data-owner]"));
          rows.sort(function (a, b) {
            if (number) {
              // Cells without a value stay last in both directions.
              var p = a.children[index].dataset.value, q = b.children[index].dataset.value;
              if (!p || !q) return (p ? 0 : 1) - (q ? 0 : 1);
              var d = Number(p) - Number(q);
              return asc ? d : -d;
            }
            var x = a.children[index].textContent, y = b.children[index].textContent;
            var c = version ? x.localeCompare(y, undefined, { numeric: true }) : x.localeCompare(y);
            return asc ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupTable();
    var q = new URLSearchParams(location.search).get("q");
    var input = document.querySelector("form.search input");
    if (q) { if (input) input.value = q; showResults(q); }
  });
})();
