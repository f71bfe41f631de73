// Polls a running master-data import (transfer/report.html) and reloads when it ends. A
// static file, not an inline script, so the Content-Security-Policy can refuse inline scripts.
(function () {
    const box = document.getElementById("import-progress");
    if (!box) { return; }
    const bar = document.getElementById("import-progress-bar");
    const label = document.getElementById("import-progress-label");
    const status = document.getElementById("import-status");
    const delay = parseInt(box.dataset.poll, 10);
    function poll() {
        fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) { return response.json(); })
            .then(function (state) {
                bar.style.width = state.percent + "%";
                label.textContent = state.processed_rows + "/" + state.total_rows + " dòng (" + state.percent + "%)";
                if (status) { status.textContent = state.status_label; }
                if (state.finished) { window.location.reload(); } else { setTimeout(poll, delay); }
            })
            .catch(function () { setTimeout(poll, delay * 2); });
    }
    setTimeout(poll, delay);
})();
