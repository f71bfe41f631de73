// The appraisal page (appraisals/appraisal_panel.html): marks the page «Có thay đổi chưa
// lưu» once a field of the appraisal form changes, and asks before the page is left with
// those changes unsaved. Any submit of the form (Lưu, or a workflow button, which saves
// first) is not "leaving". A static file, since the Content-Security-Policy refuses
// inline scripts.
(function () {
    function start() {
        const panel = document.getElementById("workflow-panel");
        const form = panel && document.getElementById(panel.dataset.form);
        const badge = document.getElementById("appraisal-unsaved");
        if (!form || !badge) { return; }
        // A page sent back with errors holds values that were typed but not saved.
        let unsaved = panel.dataset.unsaved === "1";
        let submitting = false;
        const mark = (event) => {
            if (event.target.form !== form || event.target.type === "hidden") { return; }
            unsaved = true;
            badge.hidden = false;
        };
        // form.elements includes the workflow comment, which sits outside the <form> tag.
        document.addEventListener("input", mark);
        document.addEventListener("change", mark);
        form.addEventListener("submit", () => { submitting = true; });
        window.addEventListener("beforeunload", (event) => {
            if (unsaved && !submitting) {
                event.preventDefault();
                event.returnValue = "Có thay đổi chưa lưu.";  // browsers show their own sentence
            }
        });
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
