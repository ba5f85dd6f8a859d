// The conversion report's weekly chart (Chart.js, served from wwwroot/lib): the series come from the canvas's
// data-series attribute; the table under the chart has the same figures for anyone without the chart.
(function () {
    const canvas = document.getElementById('conversion-chart');
    if (!canvas || typeof Chart === 'undefined') return;
    const series = JSON.parse(canvas.dataset.series);
    new Chart(canvas, {
        type: 'bar',
        data: {
            labels: series.labels,
            datasets: [
                { label: 'Clicks', data: series.clicks, backgroundColor: '#9ec5fe' },
                { label: 'Registered', data: series.registered, backgroundColor: '#0d6efd' },
                { label: 'Funded', data: series.funded, backgroundColor: '#198754' },
            ],
        },
        options: {
            maintainAspectRatio: false,
            animation: false,
            scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        },
    });
})();
