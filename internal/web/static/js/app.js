/*
 * Holdfast — small progressive enhancements. No dependencies; load with:
 *   <script src="/static/js/app.js" defer></script>
 * Every page works without this file. It only:
 *   1. adds class "js" to <html> (so .js-hide / .js-only work);
 *   2. focuses #global-search when "/" is pressed outside a text field;
 *   3. asks confirm(message) for forms, submit buttons and links with data-confirm="message";
 *   4. submits the form of a <select data-autosubmit> on change;
 *   5. focuses an .error-summary on load (and after htmx swaps), and makes its
 *      links move focus to the field they point at;
 *   6. keeps the sidebar menu expanded on wide screens in browsers without ::details-content.
 */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  root.classList.add("js");

  function isTyping(el) {
    if (!el || el === doc.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag === "INPUT") {
      var t = (el.type || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset", "image", "range", "color", "file"].indexOf(t) === -1;
    }
    return false;
  }

  /* 2. "/" focuses global search */
  doc.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (isTyping(e.target)) return;
    var search = doc.getElementById("global-search");
    if (!search) return;
    e.preventDefault();
    search.focus();
    if (typeof search.select === "function") search.select();
  });

  /* 3. data-confirm on forms, submit buttons and links.
     Capture phase on window, so a cancel also stops htmx and other handlers. */
  window.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = e.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!message) return;
    if (!window.confirm(message)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  window.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0) return;
    var el = e.target instanceof Element ? e.target.closest("a[data-confirm], button[data-confirm]") : null;
    if (!el) return;
    // Submit buttons inside a form are handled by the submit listener (e.submitter).
    if (el.tagName === "BUTTON" && el.form && (el.type || "submit") === "submit") return;
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  /* 4. <select data-autosubmit> submits its form on change */
  doc.addEventListener("change", function (e) {
    var el = e.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-autosubmit") || !el.form) return;
    if (typeof el.form.requestSubmit === "function") {
      el.form.requestSubmit();   // fires "submit", so data-confirm and htmx still apply
    } else {
      el.form.submit();
    }
  });

  /* 5. Error summary: focus it, and let its links focus their field */
  function focusErrorSummary(scope) {
    var summary = (scope || doc).querySelector(".error-summary");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
    if (typeof summary.scrollIntoView === "function") summary.scrollIntoView({ block: "start" });
  }

  doc.addEventListener("click", function (e) {
    var link = e.target instanceof Element ? e.target.closest(".error-summary a[href^='#']") : null;
    if (!link) return;
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var target = id && doc.getElementById(id);
    if (!target) return;
    // For a fieldset (radios/checkboxes), focus its first control.
    if (target.tagName === "FIELDSET") {
      target = target.querySelector("input, select, textarea, button") || target;
    }
    e.preventDefault();
    // Scroll so the field's label (or legend) is visible above the control.
    var label = (target.id && doc.querySelector("label[for='" + CSS.escape(target.id) + "']")) ||
      (target.closest("fieldset") && target.closest("fieldset").querySelector("legend"));
    (label || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
    if (history.replaceState) history.replaceState(null, "", "#" + id);
  });

  /* htmx swaps in new content (e.g. a form re-rendered with errors) */
  doc.addEventListener("htmx:load", function (e) {
    if (e.target && e.target !== doc.body && e.target.querySelector) {
      if (e.target.classList && e.target.classList.contains("error-summary")) {
        focusErrorSummary(e.target.parentNode);
      } else {
        focusErrorSummary(e.target);
      }
    }
  });

  /* 6. Sidebar menu fallback for browsers without ::details-content */
  function syncNavToggle() {
    var supports = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
    if (supports) return;
    var wide = window.matchMedia("(min-width: 900px)");
    var toggles = doc.querySelectorAll("details.nav-toggle");
    var apply = function () {
      for (var i = 0; i < toggles.length; i++) {
        if (wide.matches) toggles[i].open = true;
      }
    };
    apply();
    if (wide.addEventListener) wide.addEventListener("change", apply);
  }

  function onReady() {
    focusErrorSummary(doc);
    syncNavToggle();
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
