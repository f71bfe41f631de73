// Accessibility repairs for what the desk's third-party parts draw, on every desk page
// (settings.UNFOLD["SCRIPTS"]); checked with axe-core in tests/e2e/test_accessibility.py.
//  - select2 draws its own combobox in place of the <select> and names it only by the
//    option shown, so an empty picker has no name for a screen reader: it is named by its
//    field's <label> as well.
//  - unfold's layouts have no main landmark: the page column (header, messages, content) is
//    one, and the whole page on the login steps.
//  - simplebar labels each scroll box it draws "scrollable content", in English and all
//    alike: each is given its own Vietnamese name; so are unfold's unnamed <nav>s.
//  - the fields of a tabular inline (an official's postings) have no <label>, only their
//    column's heading: that heading names them.
(function () {
    if (window.deskA11y) { return; }
    window.deskA11y = true;

    function namePickers() {
        document.querySelectorAll("select.select2-hidden-accessible[id]").forEach(function (select) {
            const label = document.querySelector('label[for="' + select.id + '"]');
            const drawn = select.nextElementSibling;
            const box = drawn && drawn.querySelector(".select2-selection");
            if (!label || !box) { return; }
            if (!label.id) { label.id = select.id + "-nhan"; }
            const shown = box.querySelector(".select2-selection__rendered");
            box.setAttribute("aria-labelledby", label.id + (shown && shown.id ? " " + shown.id : ""));
            if (shown) { shown.setAttribute("aria-labelledby", label.id); }
        });
    }

    function nameScrollBoxes() {
        let count = 0;
        document.querySelectorAll(".simplebar-content-wrapper[aria-label]").forEach(function (box) {
            if (box.closest("#nav-sidebar-apps")) {
                box.setAttribute("aria-label", "Danh mục chức năng");
            } else {
                count += 1;
                box.setAttribute("aria-label", "Vùng cuộn " + count);
            }
        });
    }

    function text(element) {
        return element ? element.textContent.replace(/\*/g, "").replace(/\s+/g, " ").trim() : "";
    }

    function nameNavigation() {
        const names = { "nav-sidebar-inner": "Thanh bên", "tabs-items": "Các thẻ", "tabs-dropdown": "Các thẻ (thu gọn)" };
        document.querySelectorAll("nav:not([aria-label]):not([aria-labelledby])").forEach(function (nav) {
            if (names[nav.id]) {
                nav.setAttribute("aria-label", names[nav.id]);
            } else if (nav.id.indexOf("related-widget-wrapper-") === 0) {
                // The menu of a related field's links (add, change), drawn at the end of the page.
                const field = document.getElementById("id_" + nav.id.slice("related-widget-wrapper-".length));
                const name = field && (field.labels && field.labels.length ? text(field.labels[0]) : field.getAttribute("aria-label"));
                nav.setAttribute("aria-label", "Thao tác với trường «" + (name || "") + "»");
            } else if (nav.hasAttribute("x-show")) {
                nav.setAttribute("aria-label", "Tài khoản");
            }
        });
    }

    function nameInlineFields() {
        document.querySelectorAll("table td[class*='field-'] :is(input, select, textarea)").forEach(function (field) {
            if (field.type === "hidden" || field.labels && field.labels.length || field.hasAttribute("aria-label")) {
                return;
            }
            const cell = field.closest("td");
            const name = Array.from(cell.classList).find(function (c) { return c.indexOf("field-") === 0; });
            const heading = cell.closest("table").querySelector("th.column-" + name.slice("field-".length));
            if (heading && text(heading)) { field.setAttribute("aria-label", text(heading)); }
        });
        // The last heading of an inline table heads the «Xóa» boxes and is left blank.
        document.querySelectorAll("table thead th").forEach(function (heading) {
            if (!text(heading) && heading.closest("table").querySelector("td.delete")) {
                const words = document.createElement("span");
                words.className = "kpi-sr-only";
                words.textContent = "Xóa";
                heading.appendChild(words);
            }
        });
    }

    function repair() {
        // The desk's page column; on the login pages (unfold's unauthenticated layout), the page.
        const main = document.getElementById("main") || document.querySelector("body.login #page");
        if (main && !document.querySelector("main, [role=main]")) { main.setAttribute("role", "main"); }
        nameInlineFields();
        namePickers();
        nameScrollBoxes();
        nameNavigation();
    }

    document.addEventListener("DOMContentLoaded", function () {
        repair();
        // select2 starts on jQuery's ready and again for rows added to a form later.
        new MutationObserver(function (changes) {
            if (changes.some(function (change) { return change.addedNodes.length; })) { repair(); }
        }).observe(document.body, { childList: true, subtree: true });
    });
    window.addEventListener("load", repair);
})();
