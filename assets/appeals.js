// Puts a real <input type="file"> into each .file-slot rendered by Dash, so forms post files
// as multipart streams (Dash's own dcc.Upload reads files into the page as base64).
(function () {
  function fill(root) {
    root.querySelectorAll(".file-slot:not([data-filled])").forEach(function (slot) {
      var input = document.createElement("input");
      input.type = "file";
      input.name = slot.dataset.name;
      input.id = slot.dataset.id;
      input.accept = slot.dataset.accept || "";
      input.multiple = slot.dataset.multiple === "1";
      input.className = "form-control";
      slot.appendChild(input);
      slot.setAttribute("data-filled", "1");
    });
  }
  new MutationObserver(function () { fill(document); })
    .observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", function () { fill(document); });
})();
