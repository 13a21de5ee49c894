// A date field's "Today" shortcut is named in English while it reads "I dag" (WCAG 2.5.3):
// its accessible name starts with what it shows, on every page and whenever the shortcuts
// are drawn again. Autocomplete fields are named by admin-labels.js.
"use strict";

(function () {
  function nameDateShortcuts() {
    for (const link of document.querySelectorAll(".datetimeshortcuts a[aria-label]")) {
      const text = link.textContent.trim();
      const name = link.getAttribute("aria-label");
      if (text && !name.startsWith(text)) {
        const detail = name.match(/\(.*\)$/);
        link.setAttribute("aria-label", detail ? `${text} ${detail[0]}` : text);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameDateShortcuts();
    new MutationObserver(nameDateShortcuts).observe(document.body, {childList: true, subtree: true});
  });
})();
