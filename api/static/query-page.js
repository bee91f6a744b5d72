// The query page: YASGUI on this server's /sparql, the catalogue as examples (their
// parameters bound in an editable VALUES line), our prefixes, and YASGUI's own messages in
// the reader's language. Nothing is fetched from another host: the two autocompleters that
// ask Linked Open Vocabularies over the network are turned off.
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var config = JSON.parse(document.getElementById("query-config").textContent);
  if (!holder || !window.Yasgui) { return; }
  var lang = holder.dataset.lang || document.documentElement.lang || "en";
  var Yasgui = window.Yasgui.default || window.Yasgui;
  var Yasqe = window.Yasgui.Yasqe || Yasgui.Yasqe;
  var LOCAL_COMPLETERS = ["variables", "prefixes"];
  if (Yasqe && Yasqe.defaults) {
    Yasqe.defaults.autocompleters = LOCAL_COMPLETERS;
  }

  // YASGUI's interface text, in French: its buttons, tooltips, tab names, table controls
  // and messages. YASGUI has no translation hook: the text is replaced as it is drawn.
  var FRENCH = {
    "Run query": "Exécuter la requête", "Share query": "Partager la requête",
    "Download result": "Télécharger le résultat", "Download Results": "Télécharger les résultats",
    "Download not supported": "Téléchargement impossible",
    "Filter query results": "Filtrer les résultats", "Add tab": "Nouvel onglet",
    "Add a new tab": "Ajouter un onglet", "Close tab": "Fermer l'onglet",
    "Show all": "Tout afficher", "Page size:": "Lignes par page :", "Simple view": "Vue simple",
    "Ellipse": "Abréger", "Table": "Tableau", "Response": "Réponse", "Search:": "Chercher :",
    "Search or add an endpoint": "Chercher ou ajouter un point d'accès",
    "Press \"enter\" to add this endpoint": "Appuyez sur Entrée pour ajouter ce point d'accès",
    "Clear endpoint": "Effacer le point d'accès", "Rename Tab": "Renommer l'onglet",
    "New Tab": "Nouvel onglet", "Undo close Tab": "Rouvrir l'onglet fermé",
    "Open settings": "Ouvrir les réglages", "Previous": "Précédent", "Next": "Suivant",
    "First": "Premier", "Last": "Dernier", "All": "Tout", "Query": "Requête",
    "No data available in table": "Aucune donnée dans le tableau",
    "No matching records found": "Aucune ligne ne correspond", "Loading...": "Chargement…",
    "Named Graphs": "Graphes nommés", "Request method": "Méthode de requête",
    "Header Arguments": "En-têtes", "Arguments": "Paramètres",
    "Endpoint is down": "Le point d'accès ne répond pas",
    "Incorrect endpoint URL": "Adresse du point d'accès incorrecte",
    "Unable to get response from endpoint. Possible reasons:":
      "Pas de réponse du point d'accès. Raisons possibles :",
    "Try query in a new browser window": "Essayer la requête dans une nouvelle fenêtre",
    "Shorten": "Raccourcir", "Copy to clipboard": "Copier", "Close": "Fermer",
    "Labels": "Libellés", "Bar chart": "Diagramme en barres", "Network": "Réseau",
    "cannot render result": "impossible d'afficher le résultat"
  };
  // Messages with numbers in them, English pattern -> French replacement.
  var FRENCH_PATTERNS = [
    [/^Showing (\S+) to (\S+) of (\S+) (.*)$/, "Lignes $1 à $2 sur $3"],
    [/^\(filtered from (\S+) total .*\)$/, "(filtrées parmi $1)"],
    [/^(\S+) results? in (\S+) seconds?$/, "$1 résultat(s) en $2 s"],
    [/^Shows (.+) view$/, function (_, view) { return "Vue " + (FRENCH[view] || view); }],
    [/^View documentation of (.+)$/, function (_, view) {
      return "Documentation de la vue " + (FRENCH[view] || view);
    }],
    [/^(\S+) entries per page$/, "$1 lignes par page"]
  ];
  function translated(text) {
    var trimmed = text.trim();
    if (!trimmed) { return null; }
    if (Object.prototype.hasOwnProperty.call(FRENCH, trimmed)) {
      return text.replace(trimmed, FRENCH[trimmed]);
    }
    for (var i = 0; i < FRENCH_PATTERNS.length; i++) {
      if (FRENCH_PATTERNS[i][0].test(trimmed)) {
        return text.replace(trimmed, trimmed.replace(FRENCH_PATTERNS[i][0], FRENCH_PATTERNS[i][1]));
      }
    }
    return null;
  }
  var ATTRIBUTES = ["title", "aria-label", "placeholder"];
  // where the editor holds the query's own text (its buttons sit beside, in .CodeMirror)
  var QUERY_TEXT = ".CodeMirror-scroll, .CodeMirror-measure, .CodeMirror-hints";
  function translate(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      var french = translated(root.nodeValue);
      if (french !== null && french !== root.nodeValue) { root.nodeValue = french; }
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) { return; }
    if (root.closest && root.closest(QUERY_TEXT)) { return; }   // never the query text
    var elements = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    elements.forEach(function (element) {
      if (element.closest(QUERY_TEXT)) { return; }
      ATTRIBUTES.forEach(function (name) {
        var value = element.getAttribute(name);
        var french = value === null ? null : translated(value);
        if (french !== null && french !== value) { element.setAttribute(name, french); }
      });
      element.childNodes.forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) { translate(child); }
      });
    });
  }
  // What axe-core asks of YASGUI's editor: names for its text area and endpoint field, its
  // scroller reachable by keyboard, the "add a tab" button a tab of the tab list (a tablist
  // holds tabs only), its view buttons named by their visible text, and YASR's page-size
  // select (its visible label is a separate element).
  var NAMES = lang === "fr"
    ? { query: "Requête SPARQL", endpoint: "Point d'accès SPARQL", addTab: "Ajouter un onglet",
        pageSize: "Lignes par page" }
    : { query: "SPARQL query", endpoint: "SPARQL endpoint", addTab: "Add a new tab",
        pageSize: "Rows per page" };
  function accessible(root) {
    if (root.nodeType !== Node.ELEMENT_NODE) { return; }
    var fix = function (selector, apply) {
      if (root.matches(selector)) { apply(root); }
      root.querySelectorAll(selector).forEach(apply);
    };
    fix(".CodeMirror textarea", function (e) { if (!e.getAttribute("aria-label")) { e.setAttribute("aria-label", NAMES.query); } });
    fix("input.autocomplete", function (e) { if (!e.getAttribute("aria-label")) { e.setAttribute("aria-label", NAMES.endpoint); } });
    fix(".CodeMirror-scroll", function (e) { if (e.getAttribute("tabindex") !== "0") { e.setAttribute("tabindex", "0"); } });
    fix(".tabsList button.addTab", function (e) {
      if (e.getAttribute("role") !== "tab") {
        e.setAttribute("role", "tab");
        e.setAttribute("aria-selected", "false");
        e.setAttribute("aria-label", NAMES.addTab);
      }
    });
    fix("select.tableSizer", function (e) { if (!e.getAttribute("aria-label")) { e.setAttribute("aria-label", NAMES.pageSize); } });
    fix(".yasr_btn[class*=select_]", function (e) {
      var shown = (e.querySelector("span:not(.svgImg)") || e).textContent.trim();
      if (shown && e.getAttribute("aria-label") !== shown) { e.setAttribute("aria-label", shown); }
    });
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(accessible);
    });
  }).observe(holder, { childList: true, subtree: true });

  if (lang === "fr") {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "characterData") { translate(change.target); }
        if (change.type === "attributes" && !change.target.closest(QUERY_TEXT)) {
          var value = change.target.getAttribute(change.attributeName);
          var french = value === null ? null : translated(value);
          if (french !== null && french !== value) {
            change.target.setAttribute(change.attributeName, french);
          }
        }
        change.addedNodes.forEach(translate);
      });
    }).observe(holder, { childList: true, subtree: true, characterData: true,
                         attributes: true, attributeFilter: ATTRIBUTES });
  }

  var endpoint = new URL(holder.dataset.endpoint, window.location.href).href;
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "civicgraph-query",
    tabName: lang === "fr" ? "Requête" : "Query",
    yasqe: { value: config.defaultQuery, autocompleters: LOCAL_COMPLETERS },
  });
  if (lang === "fr") { translate(holder); }
  accessible(holder);
  window.civicgraphYasgui = yasgui;
  var byName = {};
  config.examples.forEach(function (example) { byName[example.name] = example; });
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = byName[button.dataset.name];
      var tab = yasgui.addTab(true, { name: example.title });
      tab.setQuery(example.sparql);
    });
  });
})();
