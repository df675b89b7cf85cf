// Analysts' workspace: the filters and the grid's sort in the address (bookmarkable) and in the
// export links (the server builds the file from the same parameters); score and institution cells.
(function () {
  var GRID = "analyst-grid";
  var filters = "";  // the query string of the current filters, as the server wrote it
  var listening = null;  // the grid API we listen to for sort changes

  function sortParam() {
    try {
      var state = dash_ag_grid.getApi(GRID).getColumnState().filter(function (c) { return c.sort; });
      state.sort(function (a, b) { return (a.sortIndex || 0) - (b.sortIndex || 0); });
      return state.length ? state[0].colId + ":" + state[0].sort : "";
    } catch (e) { return null; }  // grid not ready: keep what the address says
  }

  function sync() {
    var here = new URL(window.location.href);
    var params = new URLSearchParams(filters);
    var sort = sortParam();
    if (sort === null) { sort = here.searchParams.get("sort") || ""; }
    if (sort && sort !== "score:desc") { params.set("sort", sort); }
    if (here.searchParams.get("lang")) { params.set("lang", here.searchParams.get("lang")); }
    var query = params.toString() ? "?" + params.toString() : "";
    if (here.pathname === "/analyst" && here.search !== query) {
      window.history.replaceState(window.history.state, "", here.pathname + query + here.hash);
    }
    ["csv", "xlsx"].forEach(function (kind) {
      var link = document.getElementById("analyst-" + kind);
      if (link) { link.setAttribute("href", "/analyst/export." + kind + query); }
    });
  }

  function listen() {
    if (!window.dash_ag_grid || !dash_ag_grid.getApiAsync) { return; }
    dash_ag_grid.getApiAsync(GRID).then(function (api) {
      if (listening === api) { return; }
      listening = api;
      api.addEventListener("sortChanged", sync);
    }).catch(function () { /* the grid left the page */ });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    analyst: {
      syncAddress: function (query) {
        filters = query || "";
        sync();
        listen();
      }
    }
  });

  var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  // 0.8731 → "0,87" (kk, ru) or "0.87" (en).
  dagfuncs.ashyqScore = function (value, lang) {
    if (value === null || value === undefined) { return ""; }
    var text = Number(value).toFixed(2);
    return lang === "en" ? text : text.replace(".", ",");
  };

  // The institution's name linking to its page with the flag's lines highlighted, and its BIN.
  var components = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
  components.AnalystInstitution = function (props) {
    var d = props.data;
    if (!d) { return null; }
    var query = new URLSearchParams({year: d.year, flag: d.id, lang: props.lang});
    var href = "/institution/" + encodeURIComponent(d.bin) + "?" + query.toString();
    return React.createElement("span", {className: "analyst-inst"},
      React.createElement("a", {href: href, className: "analyst-inst-link"}, d.institution),
      React.createElement("small", {className: "text-muted ms-1"}, d.bin));
  };
})();
