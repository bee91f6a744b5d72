/* civicgraph map: draws the network described in #cg-map-data with vis-network.
   Positions come from the server and physics is off, so the map is drawn at once.
   Data text is only ever set as text (canvas labels, innerText tooltips, textContent).
   A click, or Enter on the node chosen with the arrow keys, opens a side panel inside the
   map; nothing moves the page: focus is always taken with preventScroll (vis-network's own
   autoFocus, which focused the canvas on hover and scrolled the embedding page between
   press and release, is off). */
(function () {
  "use strict";
  var source = document.getElementById("cg-map-data");
  var container = document.getElementById("cg-map");
  if (!source || !container || typeof vis === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var fr = data.lang === "fr";
  var options = data.options;
  options.interaction = options.interaction || {};
  options.interaction.keyboard = { enabled: false, autoFocus: false };
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var frame = container.querySelector(".vis-network") || container;
  frame.setAttribute("tabindex", "0");
  frame.setAttribute("role", "application");
  frame.setAttribute("aria-roledescription", fr ? "carte du réseau" : "network map");
  frame.setAttribute("aria-label", (fr
    ? "Carte : flèches pour passer d’un nœud à l’autre, Entrée pour ouvrir sa fiche, + et − pour zoomer"
    : "Map: arrow keys move from node to node, Enter opens its panel, + and − zoom"));
  frame.setAttribute("aria-describedby", "cg-current");

  function safeUrl(url) {
    if (typeof url !== "string") { return null; }
    return (/^\/(?!\/)/.test(url) || /^https?:\/\//.test(url) || /^[\w.-]+\.html(\?|#|$)/.test(url)) ? url : null;
  }

  // take focus without scrolling whatever embeds the map
  frame.addEventListener("mousedown", function (event) {
    event.preventDefault();
    frame.focus({ preventScroll: true });
  }, true);

  var panel = document.getElementById("cg-panel");
  var current = document.getElementById("cg-current");
  var order = nodes.get().sort(function (a, b) { return b.value - a.value || (a.name < b.name ? -1 : 1); })
    .map(function (n) { return n.id; });
  var position = -1;

  function openPanel(id, fromKeyboard) {
    var node = nodes.get(id);
    if (!node || !panel) { return; }
    var lines = String(node.title || node.name).split("\n");
    document.getElementById("cg-panel-title").textContent = node.name;
    document.getElementById("cg-panel-kind").textContent = lines[1] || "";
    var facts = document.getElementById("cg-panel-facts");
    facts.textContent = "";
    lines.slice(2).forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      facts.appendChild(item);
    });
    var link = document.getElementById("cg-panel-link");
    var url = safeUrl(node.url);
    if (url) {
      link.href = url;
      link.textContent = node.kind === "group"
        ? (fr ? "Ouvrir ce groupe en carte" : "Open this group as a map")
        : (fr ? "Ouvrir sa fiche" : "Open its page");
      link.hidden = false;
    } else {
      link.removeAttribute("href");
      link.hidden = true;
    }
    panel.hidden = false;
    panel.setAttribute("data-node", String(id));
    network.selectNodes([id]);
    if (fromKeyboard) { (url ? link : panel).focus({ preventScroll: true }); }
  }

  function closePanel() {
    if (!panel || panel.hidden) { return; }
    panel.hidden = true;
    frame.focus({ preventScroll: true });
  }

  function choose(step) {
    if (!order.length) { return; }
    position = (position + step + order.length) % order.length;
    var id = order[position];
    var node = nodes.get(id);
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    if (current) {
      current.textContent = node.name + " — " + (String(node.title).split("\n")[1] || "") +
        " (" + (position + 1) + "/" + order.length + ")";
    }
    container.setAttribute("data-current", String(id));
  }

  network.on("click", function (params) {
    if (params.nodes.length) { openPanel(params.nodes[0], false); }
  });

  frame.addEventListener("keydown", function (event) {
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown") { choose(1); }
    else if (key === "ArrowLeft" || key === "ArrowUp") { choose(-1); }
    else if (key === "Home") { position = -1; choose(1); }
    else if (key === "Enter" || key === " ") {
      if (position < 0) { choose(1); }
      openPanel(order[position], true);
    }
    else if (key === "Escape") { closePanel(); }
    else if (key === "+" || key === "=") { network.moveTo({ scale: network.getScale() * 1.25 }); }
    else if (key === "-") { network.moveTo({ scale: network.getScale() / 1.25 }); }
    else { return; }
    event.preventDefault();
  });

  if (panel) {
    document.getElementById("cg-panel-close").addEventListener("click", closePanel);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); closePanel(); }
    });
  }

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
      if (ids.length) {
        network.focus(ids[0], { scale: 1.4, animation: false });
        position = order.indexOf(ids[0]);
      }
      found.textContent = ids.length
        ? ids.length + (fr ? " trouvé(s) : " : " found: ") + matches[0].name
        : (fr ? "Aucun nœud trouvé" : "No node found");
    });
  }

  network.once("afterDrawing", function () {
    container.setAttribute("data-drawn", "true");
  });
  network.fit({ animation: false });
  window.civicmap = { network: network, nodes: nodes, edges: edges, open: openPanel };
})();
