// Page behaviour lives here, never inline (the Content-Security-Policy allows only our own files).
(function () {
  "use strict";

  // Charts: <canvas data-chart='{"type": "bar", "data": {...}}'> is drawn with Chart.js when loaded.
  function drawCharts(root) {
    if (!window.Chart) { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, JSON.parse(canvas.dataset.chart));
    });
  }

  // Goods lines of the declaration form: a Django formset whose rows are added (fetched from the
  // server with htmx) and removed in place; after a removal the rows are renumbered so the
  // formset's indices stay 0..n-1.
  function lineRows(form) { return form.querySelectorAll("#goods-lines tr[data-line]"); }

  function renumber(form) {
    var rows = lineRows(form);
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for], [aria-labelledby]").forEach(function (el) {
        ["name", "id", "for", "aria-labelledby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/lines-\d+-/, "lines-" + index + "-")); }
        });
      });
      var number = row.querySelector(".line-number");
      if (number) { number.textContent = String(index + 1); }
    });
    form.querySelector("#id_lines-TOTAL_FORMS").value = String(rows.length);
  }

  function addLine(form) {
    var total = lineRows(form).length;
    if (total >= 50) { return; }
    var url = form.dataset.lineUrl + "?index=" + total;
    window.htmx.ajax("GET", url, { target: "#goods-lines", swap: "beforeend" }).then(function () {
      renumber(form);
    });
  }

  document.addEventListener("click", function (event) {
    var form = event.target.closest("#declaration-form");
    if (!form) { return; }
    if (event.target.closest("[data-add-line]")) {
      event.preventDefault();
      addLine(form);
    } else if (event.target.closest("[data-remove-line]")) {
      event.preventDefault();
      if (lineRows(form).length <= 1) { return; }
      event.target.closest("tr[data-line]").remove();
      renumber(form);
      window.htmx.trigger(form, "change");
    }
  });

  // HS search while typing: a goods line's HS code cell takes digits or words; the server's
  // suggestions (declarations:hs-suggest, ranked by relevance and the enterprise's habits)
  // open under it. Choosing one fills the code, the description if empty, the unit and rates
  // hint, and asks for the duty preview again (a change event on the form).
  var hsTimer = null;

  function hsBox(input) { return input.closest("td").querySelector("[data-hs-suggest]"); }

  function hsClose(input) {
    var box = hsBox(input);
    if (!box) { return; }
    box.hidden = true;
    box.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function hsOptions(input) { return hsBox(input).querySelectorAll("[data-hs-option]"); }

  function hsChoose(input, option) {
    input.value = option.dataset.code;
    var row = input.closest("tr[data-line]");
    var description = row.querySelector("input[name$='-description']");
    if (description && !description.value) { description.value = option.dataset.description; }
    var hint = input.closest("td").querySelector("[data-hs-hint]");
    if (hint) { hint.textContent = option.dataset.hint; }
    hsClose(input);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function hsFetch(input) {
    var form = input.closest("#declaration-form");
    var query = input.value.trim();
    if (!query || /^\d{8}$/.test(query)) { hsClose(input); return; }
    var url = form.dataset.hsUrl + "?q=" + encodeURIComponent(query) + "&row=" +
      input.name.replace(/\D+/g, "");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (input.value.trim() !== query) { return; }  // typed on since
        var box = hsBox(input);
        box.innerHTML = html;
        box.hidden = !html.trim();
        input.setAttribute("aria-expanded", box.hidden ? "false" : "true");
        var list = box.querySelector("[role=listbox]");
        if (list) {
          list.id = input.id + "-options";
          input.setAttribute("aria-controls", list.id);
        }
      });
  }

  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-hs-input]");
    if (!input) { return; }
    clearTimeout(hsTimer);
    hsTimer = setTimeout(function () { hsFetch(input); }, 120);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target.closest("[data-hs-input]");
    if (!input || hsBox(input).hidden) { return; }
    var options = Array.prototype.slice.call(hsOptions(input));
    var current = options.findIndex(function (o) { return o.classList.contains("active"); });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = event.key === "ArrowDown" ? Math.min(current + 1, options.length - 1)
        : Math.max(current - 1, 0);
      options.forEach(function (o, i) {
        o.classList.toggle("active", i === next);
        o.setAttribute("aria-selected", i === next ? "true" : "false");
      });
      if (options[next]) { input.setAttribute("aria-activedescendant", options[next].id); }
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      hsChoose(input, options[current]);
    } else if (event.key === "Escape") {
      hsClose(input);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest("[data-hs-option]");
    if (option) {
      event.preventDefault();  // keep the focus in the input
      hsChoose(option.closest("td").querySelector("[data-hs-input]"), option);
      return;
    }
    document.querySelectorAll("[data-hs-input][aria-expanded=true]").forEach(function (input) {
      if (!input.closest("td").contains(event.target)) { hsClose(input); }
    });
  });

  // The officers' queue refreshes itself (hx-trigger "every 30s"); not while the officer is
  // using it: a reassign form open or a field of it focused would be swapped away. A refresh
  // asked for by an action ("queue-changed") always runs: the action has just finished.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (!source || source.dataset.refresh !== "queue") { return; }
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (trigger && trigger.type === "queue-changed") { return; }
    var busy = source.querySelector("details[open]") || source.contains(document.activeElement);
    if (busy) { event.preventDefault(); }
  });

  // Opening a check from the queue marks its row.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-testid=open-check]");
    if (!link) { return; }
    document.querySelectorAll("tr.queue-row.selected").forEach(function (row) {
      row.classList.remove("selected");
    });
    link.closest("tr").classList.add("selected");
  });

  // ...and keeps it marked when the list is re-rendered (its refresh, a claimed row).
  document.addEventListener("htmx:afterSettle", function () {
    var open = document.querySelector("#workbench [data-testid=workbench]");
    if (!open) { return; }
    document.querySelectorAll("tr.queue-row").forEach(function (row) {
      row.classList.toggle("selected", row.dataset.check === open.dataset.check);
    });
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
