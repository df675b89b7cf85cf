// Institution lines grid (issue 5): exact tenge from integer tiyn, and the totals row.
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// Integer tiyn -> "1 234 567,89" (kk, ru) or "1,234,567.89" (en), by integer arithmetic.
dagfuncs.tiynToTenge = function (tiyn, lang) {
  if (tiyn === null || tiyn === undefined || tiyn === "") { return ""; }
  var value = BigInt(tiyn);
  var sign = value < 0n ? "-" : "";
  if (value < 0n) { value = -value; }
  var whole = (value / 100n).toString();
  var cents = (value % 100n).toString().padStart(2, "0");
  var group = lang === "en" ? "," : "\u00a0";
  var point = lang === "en" ? "." : ",";
  return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, group) + point + cents;
};

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  institution: {
    // Column totals of the rows currently shown (after filters), as a pinned bottom row.
    totals: function (rows, options, label) {
      var sums = {plan: 0, plan_adjusted: 0, obligations: 0, paid: 0};
      (rows || []).forEach(function (r) {
        Object.keys(sums).forEach(function (k) { sums[k] += r[k] || 0; });
      });
      var total = Object.assign({month: "", program: label, subprogram_code: "", specific: ""}, sums);
      return Object.assign({}, options || {}, {pinnedBottomRowData: [total]});
    },
    // Scroll the lines section into view once, when the rows of an appeal's line (?line=) arrive.
    showAskedLine: function (rows, shown) {
      var noUpdate = window.dash_clientside.no_update;
      if (shown || !(rows || []).some(function (r) { return r.asked_line; })) { return noUpdate; }
      var section = document.getElementById("inst-lines");
      if (section) { keepInView(section, 3000, 30000); }
      return true;
    }
  }
});

// Charts and sections above the lines still grow after the rows arrive, which would push the
// asked line off screen: follow the section until the page has not changed size for `quiet` ms
// (slow phones and busy servers settle late), at most `most` ms, or until the visitor scrolls.
function keepInView(section, quiet, most) {
  var stop = false, timer = null, events = ["wheel", "touchstart", "keydown", "mousedown"];
  var observer = new ResizeObserver(function () {
    if (stop) { return; }
    section.scrollIntoView({block: "start"});
    clearTimeout(timer);
    timer = setTimeout(quit, quiet);
  });
  function quit() {
    stop = true;
    observer.disconnect();
    events.forEach(function (e) { window.removeEventListener(e, quit, true); });
  }
  events.forEach(function (e) { window.addEventListener(e, quit, true); });
  observer.observe(document.body);
  section.scrollIntoView({block: "start"});
  timer = setTimeout(quit, quiet);
  setTimeout(quit, most);
}

// Lines grid: a link from a row to the appeal form about its expenditure line. Text only (a
// React text child, never HTML); the totals row has no line and gets no link.
var dagcomponents = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

dagcomponents.AskAboutLine = function (props) {
  if (!props.data || !props.data.line || props.node.rowPinned) { return null; }
  var query = new URLSearchParams({line: props.data.line, month: props.data.month, lang: props.lang});
  var href = "/institution/" + encodeURIComponent(props.bin) + "/appeals?" + query.toString() + "#appeal-form";
  return React.createElement("a", {href: href, className: "inst-ask-line small"}, props.label);
};
