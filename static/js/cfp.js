// The submission form, made smoother. Progressive enhancement only: without this file the
// author-row buttons post the form and the server re-shows it, so everything still works.
// No inline handlers or styles anywhere (the site is headed for a strict CSP).
"use strict";

(() => {
  const ROW_FIELD = /^authors-\d+-/;

  function renumber(container) {
    const rows = Array.from(container.querySelectorAll("[data-author-row]"));
    rows.forEach((row, index) => {
      for (const el of row.querySelectorAll("[id], [for], [name], [aria-describedby]")) {
        for (const attr of ["id", "for", "name", "aria-describedby"]) {
          const value = el.getAttribute(attr);
          if (value && value.includes("authors-")) {
            el.setAttribute(attr, value.replace(/authors-\d+-/g, `authors-${index}-`));
          }
        }
      }
      const radio = row.querySelector('input[type="radio"][name="contact"]');
      if (radio) {
        radio.value = String(index);
        radio.id = `contact-${index}`;
        const label = row.querySelector(".contact-choice label");
        if (label) label.htmlFor = radio.id;
      }
      for (const number of row.querySelectorAll("[data-author-number]")) {
        number.textContent = String(index + 1);
      }
      for (const button of row.querySelectorAll("[data-row-action]")) {
        const kind = button.dataset.rowAction;
        button.value = `${kind}-${index}`;
        button.disabled =
          (kind === "up" && index === 0) ||
          (kind === "down" && index === rows.length - 1) ||
          (kind === "remove" && rows.length === 1);
      }
    });
    const fieldset = container.closest("[data-authors]");
    const add = fieldset && fieldset.querySelector('[data-row-action="add"]');
    if (add) add.disabled = rows.length >= Number(fieldset.dataset.maxAuthors || 20);
    if (!container.querySelector('input[name="contact"]:checked') && rows.length) {
      rows[0].querySelector('input[name="contact"]').checked = true;
    }
  }

  function blankRow(template) {
    const row = template.cloneNode(true);
    for (const input of row.querySelectorAll("input")) {
      if (input.type === "radio") input.checked = false;
      else if (ROW_FIELD.test(input.name)) input.value = "";
      input.removeAttribute("aria-invalid");
    }
    for (const error of row.querySelectorAll(".field-error")) error.remove();
    for (const field of row.querySelectorAll(".has-error")) field.classList.remove("has-error");
    return row;
  }

  function setUpAuthors(fieldset) {
    const container = fieldset.querySelector("[data-author-rows]");
    fieldset.addEventListener("click", (event) => {
      const button = event.target.closest("[data-row-action]");
      if (!button || !fieldset.contains(button)) return;
      event.preventDefault();
      const kind = button.dataset.rowAction;
      const rows = Array.from(container.querySelectorAll("[data-author-row]"));
      const row = button.closest("[data-author-row]");
      let focus = null;
      if (kind === "add") {
        const fresh = blankRow(rows[rows.length - 1]);
        container.append(fresh);
        focus = fresh.querySelector("input");
      } else if (kind === "remove" && rows.length > 1) {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        focus = next && next.querySelector("input");
      } else if (kind === "up" && row.previousElementSibling) {
        row.previousElementSibling.before(row);
        focus = button;
      } else if (kind === "down" && row.nextElementSibling) {
        row.nextElementSibling.after(row);
        focus = button;
      }
      renumber(container);
      if (focus && !focus.disabled) focus.focus();
      else if (row && row.isConnected) row.querySelector("input").focus();
    });
  }

  function setUpWordCount(counter) {
    const textarea = document.getElementById(counter.dataset.wordCountFor);
    const number = counter.querySelector("[data-word-count]");
    const limit = Number(counter.dataset.wordLimit);
    if (!textarea || !number) return;
    const update = () => {
      const words = textarea.value.trim() ? textarea.value.trim().split(/\s+/).length : 0;
      number.textContent = String(words);
      counter.classList.toggle("over-limit", words > limit);
    };
    textarea.addEventListener("input", update);
    update();
  }

  function setUpFileCheck(input) {
    const limit = Number(input.dataset.maxBytes);
    const message = document.createElement("p");
    message.className = "field-error";
    message.id = `${input.id}-size-error`;
    message.hidden = true;
    input.after(message);
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      const tooBig = Boolean(file && limit && file.size > limit);
      message.hidden = !tooBig;
      message.textContent = tooBig
        ? `This file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${Math.round(limit / 1048576)} MB. Choose a smaller PDF.`
        : "";
      input.setAttribute("aria-invalid", tooBig ? "true" : "false");
    });
  }

  function setUpForm(form) {
    const fileInput = form.querySelector("input[type=file][data-max-bytes]");
    if (fileInput) setUpFileCheck(fileInput);
    form.addEventListener("submit", (event) => {
      const file = fileInput && fileInput.files && fileInput.files[0];
      if (file && file.size > Number(fileInput.dataset.maxBytes)) {
        // Sending it would only end on the "too large" page; say so here instead.
        event.preventDefault();
        fileInput.focus();
        return;
      }
      // A second click while the first post is on its way would only repeat it.
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      const button = form.querySelector("[data-submit-button]");
      if (button) button.setAttribute("aria-disabled", "true");
    });
    // Coming back with the Back button shows the page as it was left: allow sending again.
    window.addEventListener("pageshow", () => {
      delete form.dataset.sending;
      const button = form.querySelector("[data-submit-button]");
      if (button) button.removeAttribute("aria-disabled");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const fieldset of document.querySelectorAll("[data-authors]")) setUpAuthors(fieldset);
    for (const counter of document.querySelectorAll("[data-word-count-for]")) setUpWordCount(counter);
    for (const form of document.querySelectorAll("[data-submission-form]")) setUpForm(form);
  });
})();
