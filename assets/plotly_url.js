// dcc.Graph loads plotly.js from window._dashPlotlyJSURL, which Dash sets to its full 4.8 MB
// bundle; the app's own (scatter, bar, treemap: a quarter of the size) is named in a meta tag
// by dashboard/web/static_cache.py. Dash assigns the variable after this runs: ignore that.
(function () {
    var meta = document.querySelector('meta[name="ashyq-plotly-url"]');
    if (!meta) { return; }
    Object.defineProperty(window, "_dashPlotlyJSURL", {
        configurable: true, get: function () { return meta.content; }, set: function () {}});
})();
