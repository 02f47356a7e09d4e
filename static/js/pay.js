// The pay page: typing an amount means "pay this amount", so it selects "Another amount".
// Without JavaScript the server refuses an amount typed beside another choice instead.
document.addEventListener("DOMContentLoaded", function () {
  var amount = document.getElementById("id_amount");
  var custom = document.getElementById("choice-custom");
  if (!amount || !custom) return;
  amount.addEventListener("input", function () {
    if (amount.value.trim() !== "") custom.checked = true;
  });
  document.querySelectorAll('input[name="choice"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio !== custom && radio.checked) amount.value = "";
    });
  });
});
