// Strings that libraries write into the page in English, in the page's language: Leaflet's zoom
// buttons (title, aria-label) and its credit link's title, the range slider's handles, and the file picker, whose native
// button and "No file chosen" Chromium draws in the browser's language, not the page's. The
// texts come from the page's hidden #browser-texts element (layouts/browser_texts.py).
(function () {
  function texts() {
    var holder = document.getElementById("browser-texts");
    return holder ? holder.dataset : null;
  }

  function label(el, text) {
    if (el && text && el.getAttribute("title") !== text) {
      el.setAttribute("title", text);
      el.setAttribute("aria-label", text);
    }
  }

  function fileNames(input, t) {
    var n = input.files ? input.files.length : 0;
    if (n === 0) { return t.fileNone; }
    if (n === 1) { return input.files[0].name; }
    return t.fileChosen.replace("{count}", String(n));
  }

  // A translated button and status over the real input, which stays in the form, focusable and
  // labelled, but is clipped to nothing (.file-input-hidden in app.css); its focus shows on the button.
  function filePicker(input, t) {
    if (input.dataset.localized) { return; }
    input.dataset.localized = "1";
    input.classList.remove("form-control");
    input.classList.add("file-input-hidden");
    var button = document.createElement("label");
    button.htmlFor = input.id;
    button.className = "btn btn-outline-secondary btn-sm file-button";
    button.textContent = input.multiple ? t.fileChooseMany : t.fileChoose;
    var status = document.createElement("span");
    status.className = "file-status small text-muted ms-2";
    status.setAttribute("aria-live", "polite");
    status.textContent = fileNames(input, t);
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", button);
    input.addEventListener("change", function () { status.textContent = fileNames(input, t); });
  }

  function localize() {
    var t = texts();
    if (!t) { return; }
    document.querySelectorAll(".leaflet-control-zoom-in").forEach(function (el) { label(el, t.zoomIn); });
    document.querySelectorAll(".leaflet-control-zoom-out").forEach(function (el) { label(el, t.zoomOut); });
    // "Leaflet" stays (a name); its English tooltip goes.
    document.querySelectorAll(".leaflet-control-attribution a[title]").forEach(function (el) {
      el.removeAttribute("title");
    });
    document.querySelectorAll("input[type=file]").forEach(function (el) { filePicker(el, t); });
    // Dash's range slider names its two handles "Minimum" and "Maximum" (its own English default,
    // only when nothing better was set): "<the slider's label>: from / to".
    document.querySelectorAll('[role=slider][aria-label="Minimum"], [role=slider][aria-label="Maximum"]')
      .forEach(function (el) {
        var end = el.getAttribute("aria-label") === "Minimum" ? t.rangeFrom : t.rangeTo;
        var owner = el.closest("[id]");
        var name = owner && document.querySelector('label[for="' + owner.id + '"]');
        el.setAttribute("aria-label", name ? name.textContent.trim() + ": " + end : end);
      });
  }

  var queued = false;
  new MutationObserver(function () {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () { queued = false; localize(); });
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
