/* Accessible names that Dash components cannot take as props, kept up as React redraws.
   - Slider handles (dcc.Slider / RangeSlider, role="slider") are named by the <label for> of
     their slider and their direct-input boxes likewise.
   - Scrolling containers (.table-responsive, ag-grid viewports) can be reached with the keyboard,
     so a keyboard user can scroll a wide table sideways. */
(function () {
  "use strict";

  function labelIdFor(container) {
    var label = container.id && document.querySelector('label[for="' + container.id + '"]');
    if (!label) { return null; }
    if (!label.id) { label.id = container.id + "-label"; }
    return label.id;
  }

  function nameSliders() {
    var parts = document.querySelectorAll(
      ".dash-slider-container [role=slider]:not([aria-labelledby]):not([aria-label]),"
      + " .dash-slider-container input:not([aria-labelledby]):not([aria-label])");
    for (var i = 0; i < parts.length; i++) {
      var container = parts[i].closest(".dash-slider-container");
      var id = container && labelIdFor(container);
      if (id) { parts[i].setAttribute("aria-labelledby", id); }
    }
  }

  function focusableScrollers() {
    var boxes = document.querySelectorAll(".table-responsive:not([tabindex])");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      box.setAttribute("tabindex", "0");
      var heading = box.getAttribute("aria-labelledby") || box.getAttribute("aria-label");
      if (!heading) {
        // Named by the table's caption or the heading just before it, so "region" is announced with a name.
        var prev = box.previousElementSibling;
        if (prev && /^H[1-6]$/.test(prev.tagName)) {
          if (!prev.id) { prev.id = "scroll-title-" + i; }
          box.setAttribute("aria-labelledby", prev.id);
        }
      }
      if (box.hasAttribute("aria-labelledby") && !box.hasAttribute("role")) { box.setAttribute("role", "region"); }
    }
  }

  // Synchronously after each batch of DOM changes: two selector queries, and no attribute
  // observation, so setting the names here does not call us again.
  new MutationObserver(function () {
    nameSliders();
    focusableScrollers();
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
