/* exportguard web UI: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Menu button on narrow screens.
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      document.getElementById("nav-list").classList.toggle("open", !open);
    });
  }

  // Selects marked data-autosubmit submit their form on change (filters, period).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });

  // "+ Add party" / "+ Add item": clone the last row with the next index, empty.
  document.querySelectorAll("[data-add-row]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var box = document.getElementById(btn.getAttribute("data-add-row"));
      var rows = box.querySelectorAll(".rowset");
      var last = rows[rows.length - 1];
      var next = rows.length;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[id], [for], [name]").forEach(function (el) {
        ["id", "for", "name"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) { el.setAttribute(attr, v.replace(/-(\d+)-/, "-" + next + "-")); }
        });
        if (el.tagName === "INPUT") { el.value = ""; }
        if (el.tagName === "SELECT" && el.name.indexOf("-type") > 0) { el.selectedIndex = 0; }
      });
      box.appendChild(copy);
      var first = copy.querySelector("input, select");
      if (first) { first.focus(); }
    });
  });

  // Move focus to an error summary so screen readers announce it.
  var err = document.querySelector("#form-errors, #action-error");
  if (err) { err.focus(); }
})();
