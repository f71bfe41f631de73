// Polls the opening of an appraisal period (appraisals/period_progress.html). A static
// file, not an inline script, so the Content-Security-Policy can refuse inline scripts.
(function () {
    const box = document.getElementById("period-progress");
    if (!box) { return; }
    const set = (id, value) => { document.getElementById(id).textContent = value; };
    function poll() {
        fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then((response) => response.json())
            .then((data) => {
                set("opening-status", data.opening_status_label);
                set("opening-done", data.done);
                set("opening-total", data.total);
                set("opening-created", data.created);
                set("opening-appraisals", data.appraisals);
                set("opening-error", data.error || "");
                document.getElementById("opening-bar").style.width = data.percent + "%";
                box.dataset.finished = data.finished ? "1" : "0";
                document.getElementById("opening-hint").hidden = data.finished;
                if (!data.finished) { window.setTimeout(poll, 1500); }
            })
            .catch(() => window.setTimeout(poll, 3000));
    }
    poll();
})();
