// The query page: YASGUI on this server's /sparql, the catalogue as examples, our prefixes.
// Nothing is fetched from another host: the two autocompleters that ask Linked Open
// Vocabularies over the network are turned off.
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var config = JSON.parse(document.getElementById("query-config").textContent);
  if (!holder || !window.Yasgui) { return; }
  var Yasgui = window.Yasgui.default || window.Yasgui;
  var Yasqe = window.Yasgui.Yasqe || Yasgui.Yasqe;
  var LOCAL_COMPLETERS = ["variables", "prefixes"];
  if (Yasqe && Yasqe.defaults) {
    Yasqe.defaults.autocompleters = LOCAL_COMPLETERS;
  }
  var endpoint = new URL(holder.dataset.endpoint, window.location.href).href;
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "civicgraph-query",
    yasqe: { value: config.defaultQuery, autocompleters: LOCAL_COMPLETERS },
  });
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
