// Views of SPARQL SELECT results where their shape fits: a bar chart (a name column and a
// number column) and a network (two columns of IRIs), drawn as SVG with no library. Labels
// stand beside IRIs: a column "xLabel" names the IRIs of column "x".
// Used by the catalogue's result pages (a results document embedded in the page) and by
// YASGUI on the query page (as two YASR plugins).
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/;
  var TEXT = {
    en: { bars: "Bar chart", network: "Network", table: "Table", top: "first {n} of {m}",
          chartTitle: "{y} by {x}", networkTitle: "Links between {a} and {b}" },
    fr: { bars: "Diagramme en barres", network: "Réseau", table: "Tableau",
          top: "{n} premiers sur {m}", chartTitle: "{y} par {x}",
          networkTitle: "Liens entre {a} et {b}" }
  };
  function say(lang, key, values) {
    var text = (TEXT[lang] || TEXT.en)[key];
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function el(name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function shortIri(iri) { return iri.replace(/[/#]$/, "").split(/[/#]/).pop(); }
  function name(row, variable) {
    var label = row[variable + "Label"];
    var term = row[variable];
    if (label && label.value) { return label.value; }
    if (!term) { return ""; }
    return term.type === "uri" ? shortIri(term.value) : term.value;
  }
  function isNumeric(rows, variable) {
    return rows.length > 0 && rows.every(function (row) {
      var t = row[variable];
      return t && t.type === "literal" && NUMERIC.test(t.datatype || "") && !isNaN(+t.value);
    });
  }
  function isIri(rows, variable) {
    return rows.length > 0 && rows.every(function (row) { return row[variable] && row[variable].type === "uri"; });
  }
  function link(iri) {
    var ids = "/civicgraph/id/";
    var at = iri.indexOf(ids);
    return at >= 0 ? "/id/" + iri.slice(at + ids.length) : iri;
  }

  // The shape of the results: which views fit, and on which columns.
  function shape(variables, rows) {
    var named = variables.filter(function (v) { return !/Label$/.test(v) && (isIri(rows, v) || !isNumeric(rows, v)); })
      .filter(function (v) { return rows.some(function (r) { return r[v]; }); });
    var numbers = variables.filter(function (v) { return isNumeric(rows, v); });
    var iris = variables.filter(function (v) { return isIri(rows, v); });
    // columns that link: more than one value, repeated (not one per row), labelled first
    var count = function (v) { return new Set(rows.map(function (r) { return r[v].value; })).size; };
    var distinct = iris.filter(function (v) { var n = count(v); return n > 1 && n < rows.length; })
      .sort(function (p, q) {
        return (variables.indexOf(q + "Label") >= 0) - (variables.indexOf(p + "Label") >= 0)
          || count(q) - count(p) || variables.indexOf(p) - variables.indexOf(q);
      });
    return {
      bars: named.length && numbers.length ? { x: named[0], y: numbers[0] } : null,
      network: distinct.length >= 2 ? { a: distinct[0], b: distinct[1] } : null
    };
  }

  function barChart(variables, rows, lang) {
    var fit = shape(variables, rows).bars;
    if (!fit) { return null; }
    var most = 40, shown = rows.slice(0, most);
    var max = Math.max.apply(null, shown.map(function (r) { return +r[fit.y].value; }).concat([1]));
    var rowHeight = 22, left = 220, width = 420;
    var svg = el("svg", { role: "img", class: "cg-bars", width: "100%",
                          viewBox: "0 0 " + (left + width + 60) + " " + (shown.length * rowHeight + 8) });
    svg.appendChild(el("title", {}, say(lang, "chartTitle", { x: fit.x, y: fit.y })));
    shown.forEach(function (row, i) {
      var value = +row[fit.y].value, y = i * rowHeight + 4;
      var label = el("text", { x: left - 6, y: y + 14, "text-anchor": "end", class: "label" }, name(row, fit.x));
      if (row[fit.x] && row[fit.x].type === "uri") {
        var a = el("a", { href: link(row[fit.x].value) });
        a.appendChild(label);
        svg.appendChild(a);
      } else { svg.appendChild(label); }
      var bar = el("rect", { x: left, y: y + 2, height: rowHeight - 6, rx: 2, class: "bar",
                             width: Math.max(1, value / max * width) });
      bar.appendChild(el("title", {}, name(row, fit.x) + ": " + row[fit.y].value));
      svg.appendChild(bar);
      svg.appendChild(el("text", { x: left + value / max * width + 4, y: y + 14, class: "value" }, row[fit.y].value));
    });
    var figure = document.createElement("figure");
    figure.className = "cg-view cg-bars-view";
    figure.appendChild(svg);
    if (rows.length > most) {
      var caption = document.createElement("figcaption");
      caption.textContent = say(lang, "top", { n: most, m: rows.length });
      figure.appendChild(caption);
    }
    return figure;
  }

  function network(variables, rows, lang) {
    var fit = shape(variables, rows).network;
    if (!fit) { return null; }
    var nodes = {}, edges = {};
    rows.slice(0, 2000).forEach(function (row) {
      [fit.a, fit.b].forEach(function (v, side) {
        var iri = row[v].value;
        if (!nodes[iri]) { nodes[iri] = { iri: iri, label: name(row, v), side: side, degree: 0 }; }
      });
      var key = row[fit.a].value + " " + row[fit.b].value;
      if (!edges[key] && row[fit.a].value !== row[fit.b].value) {
        edges[key] = [row[fit.a].value, row[fit.b].value];
        nodes[row[fit.a].value].degree++;
        nodes[row[fit.b].value].degree++;
      }
    });
    var sides = [[], []];
    Object.keys(nodes).forEach(function (iri) { sides[nodes[iri].side].push(nodes[iri]); });
    sides.forEach(function (list) { list.sort(function (p, q) { return q.degree - p.degree || p.label.localeCompare(q.label); }); });
    var gap = 20, height = Math.max(sides[0].length, sides[1].length) * gap + 20, width = 960;
    sides.forEach(function (list, side) {
      var step = (height - 20) / Math.max(list.length, 1);
      list.forEach(function (node, i) { node.x = side ? width - 300 : 300; node.y = 14 + i * step + step / 2; });
    });
    var svg = el("svg", { role: "img", class: "cg-network", width: "100%", viewBox: "0 0 " + width + " " + height });
    svg.appendChild(el("title", {}, say(lang, "networkTitle", { a: fit.a, b: fit.b })));
    Object.keys(edges).forEach(function (key) {
      var p = nodes[edges[key][0]], q = nodes[edges[key][1]];
      svg.appendChild(el("line", { x1: p.x, y1: p.y, x2: q.x, y2: q.y, class: "edge" }));
    });
    Object.keys(nodes).forEach(function (iri) {
      var node = nodes[iri], a = el("a", { href: link(iri) });
      var dot = el("circle", { cx: node.x, cy: node.y, r: 3 + Math.min(node.degree, 12) / 2,
                               class: "node side-" + node.side });
      dot.appendChild(el("title", {}, node.label + " (" + node.degree + ")"));
      a.appendChild(dot);
      a.appendChild(el("text", { x: node.side ? node.x + 10 : node.x - 10, y: node.y + 4,
                                 "text-anchor": node.side ? "start" : "end", class: "label" }, node.label));
      svg.appendChild(a);
    });
    var figure = document.createElement("figure");
    figure.className = "cg-view cg-network-view";
    figure.appendChild(svg);
    return figure;
  }

  window.civicgraphViews = { shape: shape, barChart: barChart, network: network, say: say };

  // The catalogue's result page: views beside the server's table.
  var embedded = document.getElementById("results-json");
  var holder = document.getElementById("result-views");
  if (embedded && holder) {
    var data = JSON.parse(embedded.textContent);
    var lang = document.documentElement.lang || "en";
    var variables = data.head.vars, rows = data.results.bindings;
    var views = [["table", null], ["bars", barChart(variables, rows, lang)], ["network", network(variables, rows, lang)]]
      .filter(function (view) { return view[0] === "table" || view[1]; });
    if (views.length > 1) {
      var bar = document.createElement("div");
      bar.setAttribute("role", "group");
      bar.className = "view-switch";
      var table = document.querySelector(".results-table");
      views.forEach(function (view) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = say(lang, view[0]);
        button.dataset.view = view[0];
        button.setAttribute("aria-pressed", view[0] === "table" ? "true" : "false");
        button.addEventListener("click", function () {
          bar.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
          views.forEach(function (other) { if (other[1]) { other[1].hidden = other[0] !== view[0]; } });
          if (table) { table.hidden = view[0] !== "table"; }
        });
        bar.appendChild(button);
        if (view[1]) { view[1].hidden = true; holder.appendChild(view[1]); }
      });
      holder.insertBefore(bar, holder.firstChild);
    }
  }

  // YASGUI: the same views as YASR plugins, offered when the results fit.
  function plugin(kind, draw) {
    return function (yasr) {
      this.yasr = yasr;
      this.priority = 1;
      this.hideFromSelection = false;
      this.label = say(document.documentElement.lang, kind);
      this.getIcon = function () {
        var icon = document.createElement("span");
        icon.textContent = kind === "bars" ? "▤" : "⋈";
        return icon;
      };
      this.canHandleResults = function () {
        var results = this.yasr.results;
        if (!results || !results.getBindings) { return false; }
        var vars = results.getVariables(), rows = results.getBindings() || [];
        return !!shape(vars, rows)[kind];
      };
      this.draw = function () {
        var results = this.yasr.results;
        var figure = draw(results.getVariables(), results.getBindings() || [], document.documentElement.lang);
        if (figure) { this.yasr.resultsEl.appendChild(figure); }
      };
    };
  }
  var Yasr = window.Yasr || (window.Yasgui && (window.Yasgui.Yasr || (window.Yasgui.default && window.Yasgui.default.Yasr)));
  if (Yasr && Yasr.registerPlugin) {
    Yasr.registerPlugin("civicgraphBars", plugin("bars", barChart));
    Yasr.registerPlugin("civicgraphNetwork", plugin("network", network));
  }
})();
