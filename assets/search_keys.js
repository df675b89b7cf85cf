// Keyboard use of the header search: Enter opens the first suggestion, the arrow keys move
// between the field and the suggestions, Escape returns to the field.
(function () {
  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results a"));
  }
  document.addEventListener("keydown", function (event) {
    var input = document.getElementById("search-input");
    if (!input) { return; }
    var items = links();
    var onInput = event.target === input;
    var index = items.indexOf(event.target);
    if (!onInput && index < 0) { return; }
    if (event.key === "Enter" && onInput && items.length) {
      event.preventDefault();
      window.location.assign(items[0].href);
    } else if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      items[Math.min(index + 1, items.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      (index === 0 ? input : items[index - 1]).focus();
    } else if (event.key === "Escape" && index >= 0) {
      input.focus();
    }
  });
})();
