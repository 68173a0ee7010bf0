// Draws the finance charts from the JSON the page embeds (the tables below hold the same numbers).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var money = function (v) { return "$" + Math.round(v).toLocaleString(); };
    new window.Chart(document.getElementById("chart-time"), {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Realised", data: data.realised, backgroundColor: "#2e8b57" },
          { label: "Pending", data: data.pending, backgroundColor: "#f0ad4e" },
          { label: "Lost", data: data.lost, backgroundColor: "#c9302c" }
        ]
      },
      options: { animation: false, responsive: true, scales: { y: { ticks: { callback: money } } } }
    });
    new window.Chart(document.getElementById("chart-category"), {
      type: "bar",
      data: { labels: data.categories, datasets: [{ label: "Realised", data: data.category_realised, backgroundColor: "#1f5fa8" }] },
      options: { animation: false, indexAxis: "y", responsive: true, scales: { x: { ticks: { callback: money } } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
