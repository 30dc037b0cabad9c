// Progressive enhancement only: every page works without it. A form marked data-once
// disables its button after the first submit; the request_id in the form is what makes
// a repeated submit harmless (the service answers it with the first result).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  if (form.dataset.sent === "1") { event.preventDefault(); return; }
  form.dataset.sent = "1";
  var buttons = form.querySelectorAll("button[type=submit]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].setAttribute("aria-disabled", "true");
    buttons[i].textContent = buttons[i].textContent + "…";
  }
});
