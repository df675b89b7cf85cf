/* Map explorer: dash-leaflet style and point functions, referenced from Python as
   {"variable": "ashyq.<name>"}. dash-leaflet passes the layer's props (with `hideout`) as the
   last argument, so the polygons are sent once and recoloured when `hideout` changes. */
window.ashyq = Object.assign(window.ashyq || {}, {
  classColor: function (value, h) {
    if (value === undefined || value === null) { return h.nodata || "#d9d9d9"; }
    var i = 0;
    var breaks = h.breaks || [];
    // "closed": "lower" — a class includes its lower bound (dashboard/map_classes.py); otherwise its upper.
    var lower = h.closed === "lower";
    while (i < breaks.length && (lower ? value >= breaks[i] : value > breaks[i])) { i++; }
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
    window.ashyq.keyboardShape(layer, label);
  },
  keyboardShape: function (layer, label) {
    // A region or district reachable with Tab, announced as "name, metric: value", and Enter or
    // Space drills in like a click (the click propagates to the GeoJSON layer, which tells Dash).
    // Only places with a label (a name and value) are tab stops: one without data has nothing to say.
    if (!label) { return; }
    layer.on("add", function () {
      var el = layer.getElement && layer.getElement();
      if (!el) { return; }
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      var text = new DOMParser().parseFromString(label.replace(/<br\s*\/?>/gi, ", "), "text/html");
      el.setAttribute("aria-label", text.body.textContent);
      // The place's own class (region-KZ-11, district-KZ-11-01): how its redrawn element is known.
      var place = Array.prototype.find.call(el.classList, function (c) { return /^(region|district)-[A-Z]/.test(c); });
      var again = window.ashyq.refocus;
      if (again && place === again.place && Date.now() < again.until &&
          (!document.activeElement || document.activeElement === document.body)) {
        // Selecting a place redraws the layer and removes the element that had the focus: a
        // keyboard user keeps their place on the map instead of starting again from the top.
        window.ashyq.refocus = null;
        el.focus();
      }
      el.addEventListener("keydown", function (e) {
        if (e.key !== "Enter" && e.key !== " ") { return; }
        e.preventDefault();
        window.ashyq.refocus = place ? {place: place, until: Date.now() + 5000} : null;
        var at = layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
        layer.fire("click", {latlng: at, originalEvent: e}, true);
      });
    });
  },
  districtPoint: function (feature, latlng) {
    var p = feature.properties;
    var marker = L.circleMarker(latlng, {
      radius: 5 + 16 * (p.size || 0), fillColor: p.color, fillOpacity: 0.85, pane: "districts",
      className: "district-point district-" + p.code,
      color: p.selected ? "#111" : "#ffffff", weight: p.selected ? 3 : 1.5
    });
    window.ashyq.keyboardShape(marker, p.tooltip);
    return marker;
  },
  institutionPoint: function (feature, latlng, context) {
    // properties.s: the sector's index in the colour list (the points come as geobuf integers).
    var colors = (context.hideout || {}).colors || [];
    return L.circleMarker(latlng, {
      radius: 6, fillColor: colors[feature.properties.s] || "#555555", fillOpacity: 0.95,
      color: "#ffffff", weight: 1.5, className: "institution-point"
    });
  }
});
