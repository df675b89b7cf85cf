// Switching language keeps the view: the page's other query parameters (an institution's year,
// an import report) and the fragment (the map's state) go along; only `lang` changes.
(function () {
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.lang-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    var target = new URL(link.href, window.location.href);
    var here = new URL(window.location.href);
    if (target.pathname !== here.pathname) { return; }
    here.searchParams.set("lang", target.searchParams.get("lang"));
    event.preventDefault();
    window.location.assign(here.toString());
  });
})();
