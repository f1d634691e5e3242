// Progressive enhancement for the brief; every form works the same without JavaScript.
// - "Add to brief" (and "Remove from brief") on a card posts in place: no reload, focus stays
//   on the button, its label and the "In your brief" state change, the count in the navigation
//   follows and the confirmation appears beside the button (a live region, so it is announced).
// - On the brief page the word count and speaking time follow the text as it is typed, and
//   leaving with unsaved changes asks first.
(function () {
  "use strict";
  var WORDS_PER_MINUTE = 130;

  function updateCount(count, words) {
    document.querySelectorAll("[data-brief-count]").forEach(function (node) {
      node.textContent = count ? String(count) : "";
    });
    document.querySelectorAll("[data-brief-count-words]").forEach(function (node) {
      node.textContent = count ? words : "";
    });
  }

  function setState(form, inBrief) {
    var button = form.querySelector("button[type=submit]");
    var title = form.getAttribute("data-title") || "";
    var action = form.querySelector("input[name=action]");
    form.classList.toggle("is-in-brief", inBrief);
    // setAttribute: an input named "action" hides the form's action property.
    form.setAttribute("action", form.getAttribute(inBrief ? "data-remove-url" : "data-add-url"));
    if (inBrief && !action) {
      action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "remove";
      form.appendChild(action);
    } else if (!inBrief && action) {
      action.parentNode.removeChild(action);
    }
    button.firstChild.textContent = button.getAttribute(inBrief ? "data-remove-label" : "data-add-label");
    button.lastChild.textContent = ": " + title;
    form.querySelector("[data-in-brief]").hidden = !inBrief;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-brief-form") || !window.fetch) return;
    event.preventDefault();
    var notice = form.querySelector("[data-brief-notice]");
    var button = form.querySelector("button[type=submit]");
    // The button keeps focus (a disabled button would lose it); a second press waits.
    if (form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    // The message goes into this page, so it is asked for in the page's language (a page
    // opened by a ?lang= link may not be in the language the request would otherwise get).
    var url = new URL(form.getAttribute("action"), window.location.href);
    if (document.documentElement.lang) url.searchParams.set("lang", document.documentElement.lang);
    fetch(url.toString(), {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        setState(form, data.in_brief);
        updateCount(data.count, data.count_words);
        notice.textContent = data.message;
      })
      .catch(function () {
        notice.textContent =
          notice.getAttribute("data-failed") || "This did not work. Reload the page and try again.";
      })
      .then(function () {
        form.removeAttribute("aria-busy");
        button.focus();
      });
  });

  // The brief page: counts that follow the text, and a warning before losing edits.
  var editor = document.querySelector("[data-brief-editor]");
  if (!editor) return;
  var status = editor.querySelector("[data-brief-words]");
  var over = editor.querySelector(".over-note");
  var timeNode = editor.querySelector("[data-brief-time]");
  var limit = parseInt(timeNode.getAttribute("data-limit"), 10);
  var rate = parseInt(timeNode.getAttribute("data-rate"), 10) || WORDS_PER_MINUTE;
  var byCharacters = timeNode.getAttribute("data-unit") === "characters";
  var timing = timeNode.getAttribute("data-timing");
  var unsaved = editor.querySelector("[data-unsaved]");
  var dirty = false;
  var timer = null;

  function recount() {
    // Counted as the brief's language is said (lines.spoken_count): words, or characters in
    // Chinese; the sentence is the page's own, in its language, with the figures put in.
    var words = 0;
    editor.querySelectorAll("[data-words]").forEach(function (field) {
      var text = field.value.trim();
      if (byCharacters) {
        words += (text.match(/[\p{L}\p{N}]/gu) || []).length;
      } else {
        words += text ? text.split(/\s+/).length : 0;
      }
    });
    var seconds = Math.round((words * 60) / rate);
    var clock = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    status.textContent = timing
      .replace("{count}", words.toLocaleString(document.documentElement.lang))
      .replace("{time}", clock);
    over.hidden = words <= limit;
    status.parentNode.classList.toggle("over", words > limit);
  }

  editor.addEventListener("input", function () {
    dirty = true;
    unsaved.hidden = false;
    // The status is a live region: announce the count once typing pauses, not per key.
    clearTimeout(timer);
    timer = setTimeout(recount, 400);
  });
  editor.addEventListener("submit", function () {
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
