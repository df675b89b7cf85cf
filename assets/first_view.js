// The server-rendered first view of the front page or an institution page
// (layouts/first_view.py) covers the page while Dash loads; it goes once the Dash page shows the
// same KPIs (an institution page: its name and KPIs, or that it has no budget), so the figures
// never blink out. 30 s is a last resort.
(function () {
  var view = document.getElementById("first-view");
  var root = document.getElementById("react-entry-point");
  if (!view || !root) { return; }
  function filled(id) {
    var node = document.getElementById(id);
    return !!node && node.textContent.trim() !== "";
  }
  function drawn() {
    if (filled("kpi-planned")) { return true; }  // the front page
    var title = document.getElementById("inst-title");
    var kpis = document.getElementById("inst-kpis");
    if (!title || !title.textContent.trim() || !kpis) { return false; }
    var budget = document.getElementById("inst-kpi-budget");
    return budget ? budget.textContent.trim() !== "" : kpis.textContent.trim() !== "";
  }
  var observer = new MutationObserver(function () { if (drawn()) { done(); } });
  function done() {
    observer.disconnect();
    if (view.parentNode) { view.parentNode.removeChild(view); }
  }
  observer.observe(root, {childList: true, subtree: true, characterData: true});
  setTimeout(done, 30000);
})();
