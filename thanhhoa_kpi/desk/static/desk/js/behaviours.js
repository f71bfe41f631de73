// Small desk behaviours declared in templates by data attributes instead of inline
// handlers (onclick=, onchange=), so the Content-Security-Policy can refuse inline script:
//   <select data-submit-on-change>        submits its form when changed
//   <button data-confirm="Xác nhận ...?">   asks before submitting or following
//   <input type=checkbox data-check-all="input.review-line">  ticks or clears the matches
// Templates may include this file more than once; it installs its listeners once.
(function () {
    if (window.deskBehaviours) { return; }
    window.deskBehaviours = true;
    document.addEventListener("change", function (event) {
        const field = event.target.closest("[data-submit-on-change]");
        if (field && field.form) { field.form.submit(); }
    });
    document.addEventListener("click", function (event) {
        const asking = event.target.closest("[data-confirm]");
        if (asking && !window.confirm(asking.dataset.confirm)) {
            event.preventDefault();
            return;
        }
        const master = event.target.closest("[data-check-all]");
        if (master) {
            document.querySelectorAll(master.dataset.checkAll).forEach(function (box) { box.checked = master.checked; });
        }
    });
})();
