// Progressive enhancement for the submission form: a live word count for the summary and a
// filter box for the long list of countries. The form works the same without JavaScript.
(function () {
  document.documentElement.classList.add("js");
  var summary = document.querySelector("[data-role=word-count]");
  var counter = document.getElementById("summary-count");
  if (summary && counter) {
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var update = function () {
      var words = summary.value.trim() ? summary.value.trim().split(/\s+/).length : 0;
      // The page's own sentences, in its language, with the figures put in.
      var sentence = counter.getAttribute(words > max ? "data-too-long" : "data-within");
      counter.textContent = sentence.replace("{count}", words).replace("{max}", max);
      counter.classList.toggle("over", words > max);
    };
    summary.addEventListener("input", update);
    update();
  }
  var filter = document.getElementById("country-filter");
  var select = document.getElementById("countries");
  if (filter && select) {
    filter.addEventListener("input", function () {
      var text = filter.value.toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = text && option.text.toLowerCase().indexOf(text) === -1 && !option.selected;
      });
    });
  }
})();
