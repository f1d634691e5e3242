// Progressive enhancement for the search page: apply a filter or a sort as soon as it changes.
// Without JavaScript the "Apply filters" and "Sort" buttons do the same. The controls belong
// to the search form through their form attribute, so listen on the document.
(function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.form === form && (target.type === "checkbox" || target.id === "sort")) {
      form.submit();
    }
  });
})();
