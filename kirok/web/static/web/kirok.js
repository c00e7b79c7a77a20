/* Kirok workspace enhancements. Everything works without this file: it only adds drag and drop
   with a progress bar to the evidence upload form (the form posts normally without it). */
(function () {
  "use strict";

  function setUpUpload(form) {
    var zone = document.getElementById("drop-zone");
    var input = form.querySelector('input[type="file"]');
    var bar = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    if (!zone || !input || !window.FormData || !window.XMLHttpRequest) { return; }
    var dropped = null;

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        dropped = event.dataTransfer.files[0];
        status.textContent = dropped.name;
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      if (dropped) { data.set("file", dropped, dropped.name); }
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("X-Kirok-Upload", "1");
      bar.classList.remove("hidden");
      bar.value = 0;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
      });
      request.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
        if (request.status === 200 && answer.sha256) {
          bar.value = 100;
          status.textContent = "";
          var label = document.createElement("span");
          label.textContent = (form.dataset.received || "SHA-256") + ": ";
          var hash = document.createElement("code");
          hash.className = "hash";
          hash.id = "received-sha256";
          hash.textContent = answer.sha256;
          var link = document.createElement("a");
          link.href = answer.url;
          link.textContent = form.dataset.open || "Open";
          status.appendChild(label);
          status.appendChild(hash);
          status.appendChild(document.createTextNode(" "));
          status.appendChild(link);
        } else {
          var errors = answer.errors || {};
          status.textContent = Object.keys(errors).map(function (k) { return errors[k].join(" "); }).join(" ") || String(request.status);
        }
      });
      request.addEventListener("error", function () { status.textContent = form.dataset.failed || "Upload failed"; });
      request.send(data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-upload]");
    if (form) { setUpUpload(form); }
  });
}());
