/* Map explorer: dash-leaflet style and point functions, referenced from Python as
   {"variable": "ashyq.<name>"}. dash-leaflet passes the layer's props (with `hideout`) as the
   last argument, so the polygons are sent once and recoloured when `hideout` changes. */
window.ashyq = Object.assign(window.ashyq || {}, {
  classColor: function (value, h) {
    if (value === undefined || value === null) { return h.nodata || "#d9d9d9"; }
    var i = 0;
    var breaks = h.breaks || [];
    while (i < breaks.length && value > breaks[i]) { i++; }
    var colors = h.colors || ["#3182bd"];
    return colors[Math.min(i, colors.length - 1)];
  },
  regionStyle: function (feature, context) {
    var h = context.hideout || {};
    var code = feature.properties.code;
    var selected = h.selected === code;
    return {
      fillColor: window.ashyq.classColor((h.values || {})[code], h),
      fillOpacity: h.selected && !selected ? 0.35 : 0.75,
      color: selected ? "#111" : "#ffffff", weight: selected ? 3 : 1, opacity: 1
    };
  },
  regionPoint: function (feature, latlng, context) {
    // Without boundaries: a circle at the region's centre, area proportional to the value.
    var h = context.hideout || {};
    var value = (h.values || {})[feature.properties.code] || 0;
    var radius = h.max > 0 ? 6 + 28 * Math.sqrt(Math.max(value, 0) / h.max) : 6;
    return L.circleMarker(latlng, {radius: radius, pane: "regions"});
  },
  regionTooltip: function (feature, layer, context) {
    // Set before the layer is added, so its path carries the class (handy for styling and tests).
    layer.options.className = "region-shape region-" + feature.properties.code;
    var label = ((context.hideout || {}).labels || {})[feature.properties.code];
    if (label) { layer.bindTooltip(label, {sticky: true}); }
  },
  districtPoint: function (feature, latlng) {
    var p = feature.properties;
    return L.circleMarker(latlng, {
      radius: 5 + 16 * (p.size || 0), fillColor: p.color, fillOpacity: 0.85, pane: "districts",
      className: "district-point district-" + p.code,
      color: p.selected ? "#111" : "#ffffff", weight: p.selected ? 3 : 1.5
    });
  },
  institutionPoint: function (feature, latlng, context) {
    var colors = (context.hideout || {}).colors || {};
    return L.circleMarker(latlng, {
      radius: 6, fillColor: colors[feature.properties.s] || "#555555", fillOpacity: 0.95,
      color: "#ffffff", weight: 1.5, className: "institution-point"
    });
  }
});
