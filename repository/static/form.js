// Progressive enhancement for the submission form: a live word count for the summary, a
// filter for the list of countries that never drops a ticked one, and autosave of the draft.
// The form works the same without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("practice-form");
  // The page's own sentences (an element's data-NAME), in its language, with the figures put
  // in; English where a page lacks one.
  var sentence = function (element, name, fallback, values) {
    var text = (element && element.getAttribute("data-" + name)) || fallback;
    Object.keys(values).forEach(function (key) {
      text = text.replace("{" + key + "}", values[key]);
    });
    return text;
  };

  var summary = document.querySelector("[data-role=word-count]");
  var counter = document.getElementById("summary-count");
  if (summary && counter) {
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var count = function () {
      var words = summary.value.trim() ? summary.value.trim().split(/\s+/).length : 0;
      var name = words > max ? "too-long" : "within";
      counter.textContent = sentence(counter, name, "", { count: words, max: max });
      counter.classList.toggle("over", words > max);
    };
    summary.addEventListener("input", count);
    count();
  }

  // Countries: check boxes, so earlier choices stay whatever the filter shows; the list of
  // chosen ones follows, each with a button to remove it.
  var picker = document.querySelector(".country-picker");
  if (picker) {
    var filter = document.getElementById("country-filter");
    var boxes = picker.querySelectorAll("#country-options input[type=checkbox]");
    var list = picker.querySelector("[data-chosen-list]");
    var none = picker.querySelector("[data-chosen-none]");
    var announce = picker.querySelector("[data-country-announce]");
    var nameOf = function (box) {
      return box.closest("[data-country]").getAttribute("data-country");
    };
    var say = function (name, fallback, values) {
      return sentence(announce, name, fallback, values);
    };
    var showChosen = function () {
      list.textContent = "";
      var chosen = 0;
      Array.prototype.forEach.call(boxes, function (box) {
        if (!box.checked) return;
        chosen += 1;
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "chip-remove";
        button.textContent = nameOf(box) + " ✕";
        button.setAttribute("aria-label", say("remove", "Remove {country}", { country: nameOf(box) }));
        button.addEventListener("click", function () {
          box.checked = false;
          box.dispatchEvent(new Event("change", { bubbles: true }));
          (filter || box).focus();
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      none.hidden = chosen > 0;
    };
    Array.prototype.forEach.call(boxes, function (box) {
      box.addEventListener("change", function () {
        showChosen();
        announce.textContent = box.checked
          ? say("added", "{country} added.", { country: nameOf(box) })
          : say("removed", "{country} removed.", { country: nameOf(box) });
      });
    });
    // Regions fold their countries away (the chosen ones are listed above as well); a filter
    // opens the regions holding a match and hides the others, and clearing it folds them
    // again, but for those opened by hand.
    var regions = picker.querySelectorAll("[data-region]");
    Array.prototype.forEach.call(regions, function (region) {
      region.addEventListener("toggle", function () {
        // Opened or closed while no filter is typed: what the partner chose to see.
        if (!filter || !filter.value.trim()) {
          region.setAttribute("data-opened", region.open ? "1" : "");
        }
      });
    });
    if (filter) {
      filter.addEventListener("input", function () {
        var text = filter.value.trim().toLowerCase();
        var shown = 0;
        Array.prototype.forEach.call(boxes, function (box) {
          var row = box.closest("[data-country]");
          var match = !text || nameOf(box).toLowerCase().indexOf(text) !== -1;
          row.hidden = !match;
          if (match) shown += 1;
        });
        Array.prototype.forEach.call(regions, function (region) {
          var any = region.querySelector("[data-country]:not([hidden])") !== null;
          region.hidden = !any;
          region.open = text ? any : region.getAttribute("data-opened") === "1";
        });
        announce.textContent = say("listed", "Countries listed: {count}", { count: shown });
      });
      // Enter in the filter ticks the only country left rather than submitting the form.
      filter.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        var visible = Array.prototype.filter.call(boxes, function (box) {
          return !box.closest("[data-country]").hidden && !box.closest("[data-region]").hidden;
        });
        if (visible.length === 1) {
          visible[0].checked = !visible[0].checked;
          visible[0].dispatchEvent(new Event("change", { bubbles: true }));
        } else if (visible.length) {
          visible[0].focus();
        }
      });
    }
    showChosen();
  }

  // Autosave: a few seconds after the partner stops typing, and before leaving the page.
  var status = document.querySelector("[data-autosave-status]");
  var told = function (name, fallback, values) {
    return sentence(status, name, fallback, values);
  };
  if (form && status && form.getAttribute("data-autosave") && window.fetch && window.FormData) {
    var timer = null;
    var dirty = false;
    var saving = false;
    var pendingSubmit = null; // a button pressed while a save was on its way
    var save = function () {
      timer = null;
      if (saving || !dirty) return;
      saving = true;
      dirty = false;
      var data = new FormData(form);
      data.set("intent", "save");
      fetch(form.getAttribute("data-autosave"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          saving = false;
          var now = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          if (result.ok && result.body.saved) {
            status.textContent = told("saved", "Draft saved at {time}.", { time: now });
            status.classList.remove("not-saved");
            if (form.getAttribute("action") !== result.body.edit_url) {
              // A new submission is a draft now: later saves and the buttons go to it.
              form.setAttribute("action", result.body.edit_url);
              form.setAttribute("data-autosave", result.body.autosave_url);
              if (window.history && history.replaceState) {
                history.replaceState(null, "", result.body.edit_url);
              }
            }
          } else {
            var errors = (result.body.errors || []).map(function (e) { return e.message; });
            var reason = errors[0] || result.body.message || told("check", "check the form", {});
            status.textContent = told("not-saved", "Not saved yet: {reason}", { reason: reason });
            if (errors.length > 1) {
              status.textContent += " " + told("more", "(and {count} more)", { count: errors.length - 1 });
            }
            status.classList.add("not-saved");
          }
          if (pendingSubmit) {
            var button = pendingSubmit.button;
            pendingSubmit = null;
            if (button) form.requestSubmit(button);
            else form.requestSubmit();
          } else if (dirty) {
            schedule();
          }
        })
        .catch(function () {
          saving = false;
          dirty = true;
          status.textContent = told(
            "failed",
            "Not saved: the connection failed. Save with the button below.",
            {}
          );
          status.classList.add("not-saved");
        });
    };
    var schedule = function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 3000);
    };
    var changed = function () {
      dirty = true;
      schedule();
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) {
      if (timer) clearTimeout(timer);
      if (saving) {
        // The first autosave of a new submission makes the draft: wait for it, so the button
        // saves that draft rather than making a second one.
        event.preventDefault();
        pendingSubmit = { button: event.submitter };
        return;
      }
      dirty = false;
    });
    window.addEventListener("pagehide", function () {
      if (dirty && navigator.sendBeacon) {
        var data = new FormData(form);
        data.set("intent", "save");
        navigator.sendBeacon(form.getAttribute("data-autosave"), data);
      }
    });
  }
})();
