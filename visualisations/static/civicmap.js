/* civicgraph map: draws the network described in #cg-map-data with vis-network.
   Positions come from the server and physics is off, so the map is drawn at once.
   Data text is only ever set as text (canvas labels, innerText tooltips, textContent). */
(function () {
  "use strict";
  var source = document.getElementById("cg-map-data");
  var container = document.getElementById("cg-map");
  if (!source || !container || typeof vis === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var fr = data.lang === "fr";
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  function safeUrl(url) {
    if (typeof url !== "string") { return null; }
    return (/^\/(?!\/)/.test(url) || /^https?:\/\//.test(url) || /^[\w.-]+\.html(\?|#|$)/.test(url)) ? url : null;
  }

  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var url = safeUrl(nodes.get(params.nodes[0]).url);
    if (url) { window.open(url, "_top"); }
  });

  var names = document.getElementById("cg-names");
  if (names) {
    var seen = {};
    nodes.forEach(function (node) {
      if (seen[node.name]) { return; }
      seen[node.name] = true;
      var option = document.createElement("option");
      option.value = node.name;
      names.appendChild(option);
    });
  }

  var form = document.getElementById("cg-search");
  var found = document.getElementById("cg-found");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = document.getElementById("cg-q").value.trim().toLowerCase();
      if (!query) { network.unselectAll(); found.textContent = ""; return; }
      var matches = nodes.get({ filter: function (n) { return n.name.toLowerCase().indexOf(query) !== -1; } });
      matches.sort(function (a, b) {
        var ea = a.name.toLowerCase() === query ? 0 : 1, eb = b.name.toLowerCase() === query ? 0 : 1;
        return ea - eb || b.value - a.value;
      });
      var ids = matches.map(function (n) { return n.id; });
      network.selectNodes(ids);
      if (ids.length) { network.focus(ids[0], { scale: 1.4, animation: false }); }
      found.textContent = ids.length
        ? ids.length + (fr ? " trouvé(s) : " : " found: ") + matches[0].name
        : (fr ? "Aucun nœud trouvé" : "No node found");
    });
  }

  network.once("afterDrawing", function () {
    container.setAttribute("data-drawn", "true");
  });
  network.fit({ animation: false });
  window.civicmap = { network: network, nodes: nodes, edges: edges };
})();
