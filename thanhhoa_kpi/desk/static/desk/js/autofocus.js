// unfold keeps the whole page hidden (x-cloak on <html>) until Alpine.js starts, and a
// browser drops `autofocus` on a field it cannot show yet: the login pages would open with
// nothing focused. Once Alpine has shown the page, the field marked autofocus gets the focus
// (unless the person already clicked somewhere).
(function () {
    function focusMarked() {
        const field = document.querySelector("[autofocus]");
        if (field && (document.activeElement === null || document.activeElement === document.body)) {
            field.focus();
        }
    }
    function whenShown() {
        if (document.documentElement.hasAttribute("x-cloak")) {
            document.addEventListener("alpine:initialized", function () { window.requestAnimationFrame(focusMarked); });
        } else {
            window.requestAnimationFrame(focusMarked);
        }
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", whenShown);
    } else {
        whenShown();
    }
})();
