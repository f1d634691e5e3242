// Progressive enhancement for the search page: apply a filter or a sort as soon as it changes.
// Without JavaScript the "Apply filters" and "Sort" buttons do the same.
(function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  document.documentElement.classList.add("js");
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" || target.id === "sort") {
      form.submit();
    }
  });
})();
