// Accessible names the admin's widgets lack (WCAG 4.1.2 and 2.5.3), given on every page and
// again whenever the widgets redraw themselves:
// - an autocomplete field (select2) shows a combobox, a text box and a search box, none
//   named after the field's label, so a screen reader announces a bare "combobox";
// - a date field's "Today" shortcut is named in English while it reads "I dag".
"use strict";

(function () {
  function labelFor(select) {
    const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
    if (label && !label.id) label.id = `${select.id}-label`;
    return label;
  }

  function selectOf(element) {
    // A field's own container sits right after its <select>; a single field's search box
    // sits in a dropdown on the body, for the container that is open.
    const container = element.closest(".select2")
      || document.querySelector(".select2.select2-container--open");
    const select = container && container.previousElementSibling;
    return select && select.tagName === "SELECT" ? select : null;
  }

  function nameAutocompleteFields() {
    for (const element of document.querySelectorAll(
      ".select2-search__field, .select2-selection, .select2-selection__rendered"
    )) {
      const label = labelFor(selectOf(element));
      if (!label) continue;
      if (element.classList.contains("select2-selection--single")) {
        // The combobox: the field's label, then what is chosen.
        const chosen = element.querySelector(".select2-selection__rendered");
        const names = [label.id, chosen && chosen.id].filter(Boolean).join(" ");
        if (element.getAttribute("aria-labelledby") !== names) {
          element.setAttribute("aria-labelledby", names);
        }
      } else if (element.classList.contains("select2-selection__rendered")
                 || element.classList.contains("select2-search__field")) {
        if (element.getAttribute("aria-labelledby") !== label.id) {
          element.setAttribute("aria-labelledby", label.id);
        }
      }
    }
  }

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

  function nameAll() {
    nameAutocompleteFields();
    nameDateShortcuts();
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    new MutationObserver(nameAll).observe(document.body, {childList: true, subtree: true});
  });
})();
