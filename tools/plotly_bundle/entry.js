// plotly.js with only the trace types Ashyq Budget draws: scatter (part of core), bar, box (analysts' peer charts) and
// treemap. A new trace type must be added here, to TRACES in dashboard/web/static_cache.py,
// and the bundle rebuilt (build.sh); a test compares TRACES with the traces the code draws (go.* and plain-dict figures).
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/box'), require('plotly.js/lib/treemap')]);
module.exports = Plotly;
