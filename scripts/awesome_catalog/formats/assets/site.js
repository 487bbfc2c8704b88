// Filters the list of works that index.html already contains. Written by awesome-catalog.
//
// The state lives in the query string (?q=&section=&<tag set>=&from=&to=, one parameter
// per tag set of the list, named by its id):
// read on load, rewritten with history.replaceState on every change. The script never
// turns catalog text into markup: it only reads the JSON index and shows or hides items.
"use strict";

(function () {

  var form = document.getElementById("filters");
  var list = document.getElementById("works");
  var count = document.getElementById("count");
  var reset = document.getElementById("f-reset");
  var empty = document.getElementById("empty");
  var data = document.getElementById("catalog-data");
  if (!form || !list || !count || !reset || !empty || !data) {
    return;
  }
  document.documentElement.classList.add("js");

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var index = JSON.parse(data.textContent);
  var TAG_SETS = index.tag_sets;
  var FIELDS = ["q", "section"].concat(TAG_SETS, ["from", "to"]);
  var works = index.works.map(function (work) {
    return {
      item: document.getElementById("work-" + work.id),
      sections: work.sections,
      tags: work.tags,
      year: work.year,
      text: fold(work.text)
    };
  });

  function control(name) {
    return form.elements.namedItem(name);
  }

  function readState() {
    var state = {};
    FIELDS.forEach(function (name) {
      state[name] = control(name).value;
    });
    return state;
  }

  // Set a control from the URL; a select keeps "" when the value is not one of its options.
  function setControl(name, value) {
    var element = control(name);
    element.value = value;
    if (element.value !== value) {
      element.value = "";
    }
  }

  function matches(work, state, words) {
    if (state.section && work.sections.indexOf(state.section) < 0) return false;
    for (var i = 0; i < TAG_SETS.length; i++) {
      var kind = TAG_SETS[i];
      if (state[kind] && work.tags[kind].indexOf(state[kind]) < 0) return false;
    }
    if ((state.from || state.to) && work.year === null) return false;
    if (state.from && work.year < Number(state.from)) return false;
    if (state.to && work.year > Number(state.to)) return false;
    return words.every(function (word) {
      return work.text.indexOf(word) >= 0;
    });
  }

  function writeUrl(state) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) {
      if (state[name]) params.set(name, state[name]);
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    try {
      window.history.replaceState(null, "", url);
    } catch (error) {
      // Some browsers refuse replaceState on file:// pages; filtering still works.
    }
  }

  function apply() {
    var state = readState();
    var words = fold(state.q).split(/\s+/).filter(Boolean);
    var shown = 0;
    works.forEach(function (work) {
      var visible = matches(work, state, words);
      if (work.item) work.item.hidden = !visible;
      if (visible) shown += 1;
    });
    count.textContent = shown + " of " + works.length + (works.length === 1 ? " work" : " works");
    empty.hidden = shown > 0;
    reset.hidden = FIELDS.every(function (name) {
      return !state[name];
    });
    writeUrl(state);
  }

  function load() {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      setControl(name, params.get(name) || "");
    });
    apply();
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply();
  });
  reset.addEventListener("click", function () {
    FIELDS.forEach(function (name) {
      control(name).value = "";
    });
    apply();
    control("q").focus();
  });

  // A section or term link inside a work filters by it instead of reloading the page.
  list.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-filter]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    setControl(link.getAttribute("data-filter"), link.getAttribute("data-value"));
    apply();
    form.scrollIntoView({ block: "start" });
    control(link.getAttribute("data-filter")).focus({ preventScroll: true });
  });

  load();
})();
