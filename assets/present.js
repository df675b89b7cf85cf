// Presentation mode (/present, layouts/pages/present.py): one slide at a time, advancing every
// `data-interval` seconds and looping; keys for a keyboard or a presenter's clicker (they send
// PageUp/PageDown or the arrows): Space pauses and resumes, → ↓ PageDown next, ← ↑ PageUp back,
// Home first, End last, Esc opens the slide's view in the explorer, F full screen. The slide's
// position goes to Dash (#present-moved), which flies the map (callbacks/present.py).
// /present/print: the button opens the browser's print dialog (its "Save as PDF" makes the file).
(function () {
  "use strict";
  var index = 0;
  var paused = false;
  var shownAt = Date.now();
  var tourKey = null;

  function root() {
    var el = document.getElementById("present-root");
    return el && el.classList.contains("present-show") ? el : null;
  }

  function slides(r) { return r.querySelectorAll(".present-slide[data-href]"); }

  function intervalMs(r) {
    var seconds = parseInt(r.dataset.interval, 10);
    return (seconds > 0 ? seconds : 20) * 1000;
  }

  function show(r, next) {
    var all = slides(r);
    if (!all.length) { return; }
    index = ((next % all.length) + all.length) % all.length;  // loops both ways
    all.forEach(function (slide, i) {
      var current = i === index;
      slide.classList.toggle("is-current", current);
      slide.setAttribute("aria-hidden", current ? "false" : "true");
    });
    shownAt = Date.now();
    r.dataset.index = String(index);
    var counter = document.getElementById("present-counter");
    if (counter) { counter.textContent = (index + 1) + " / " + all.length; }
    var bar = document.getElementById("present-progress");
    if (bar) {
      bar.setAttribute("aria-valuemax", String(all.length));
      bar.setAttribute("aria-valuenow", String(index + 1));
      bar.setAttribute("aria-valuetext", all[index].getAttribute("aria-label") || "");
    }
    var fill = document.getElementById("present-progress-fill");
    if (fill) { fill.style.width = ((index + 1) / all.length * 100).toFixed(2) + "%"; }
    // Tell Dash (the map follows): a click on a hidden button, which Dash counts. Not
    // dash_clientside.set_props: outside a callback it makes Dash 4.1 route the page again.
    var moved = document.getElementById("present-moved");
    if (moved) { moved.click(); }
  }

  function setPaused(r, value) {
    paused = value;
    shownAt = Date.now();  // resuming gives the slide its full time again
    r.dataset.paused = paused ? "true" : "false";
    var status = document.getElementById("present-status");
    if (status) {
      status.textContent = paused ? status.dataset.paused : status.dataset.playing;
      status.classList.toggle("is-paused", paused);
    }
  }

  function fullScreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  }

  document.addEventListener("keydown", function (event) {
    var r = root();
    if (!r || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    var handled = true;
    if (key === " " || key === "Spacebar") { setPaused(r, !paused); }
    else if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown") { show(r, index + 1); }
    else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") { show(r, index - 1); }
    else if (key === "Home") { show(r, 0); }
    else if (key === "End") { show(r, -1); }
    else if (key === "Escape") {
      var current = slides(r)[index];
      if (current) { window.location.assign(current.dataset.href); }
    }
    else if (key === "f" || key === "F") { fullScreen(); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("#present-fullscreen, #present-print-button") : null;
    if (!target) { return; }
    if (target.id === "present-print-button") { window.print(); } else { fullScreen(); }
  });

  // The slides arrive from a callback after the page loads (and again if Dash redraws them):
  // a new tour starts at its first slide; then the timer moves on unless paused.
  window.setInterval(function () {
    var r = root();
    if (!r) { tourKey = null; return; }
    var all = slides(r);
    if (!all.length) { return; }
    var key = all.length + "|" + all[0].dataset.href;
    if (key !== tourKey) {
      tourKey = key;
      index = 0;
      setPaused(r, false);
      show(r, 0);
      return;
    }
    if (!all[index] || !all[index].classList.contains("is-current")) {
      // Dash drew the same tour again from new data (live updates, callbacks/live.py): stay on
      // this slide with the time it had left.
      var at = shownAt;
      show(r, index);
      shownAt = at;
      return;
    }
    if (!paused && Date.now() - shownAt >= intervalMs(r)) { show(r, index + 1); }
  }, 200);
})();
