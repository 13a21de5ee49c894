"use strict";
// Names for what the admin's JavaScript widgets draw without one, so assistive technology
// announces them: Select2 (autocomplete fields) makes its own combobox beside the labelled
// <select>, and the filter boxes of many-to-many fields carry a help icon with an aria-label
// on a plain <span>. Run once the widgets are drawn, and again for every added inline form.
(function () {
    function labelOf(select) {
        const label = select.id && document.querySelector('label[for="' + select.id + '"]');
        return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
    }

    function name() {
        document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
            const widget = select.nextElementSibling;
            if (!widget || !widget.classList.contains("select2")) {
                return;
            }
            const text = labelOf(select);
            widget.querySelectorAll('[role="combobox"], .select2-search__field').forEach(
                function (element) {
                    element.setAttribute("aria-label", text);
                    element.removeAttribute("aria-labelledby");
                }
            );
            widget.querySelectorAll('[role="textbox"]').forEach(function (element) {
                element.removeAttribute("role");
                element.removeAttribute("aria-readonly");
            });
            // A chosen item is drawn as a <span> inside the list of choices: make the list
            // a plain group so it holds what it holds.
            widget.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
                list.setAttribute("role", "presentation");
            });
        });
        document.querySelectorAll("span.help-tooltip[aria-label]").forEach(function (icon) {
            icon.setAttribute("role", "img");
        });
    }

    // After the widgets' own load handlers, whatever order the scripts came in.
    window.addEventListener("load", function () {
        window.setTimeout(name, 0);
    });
    document.addEventListener("formset:added", function () {
        window.setTimeout(name, 0);
    });
    document.addEventListener("change", function () {
        window.setTimeout(name, 0);
    });
})();
