// The case form: changing "What do you need?" reloads the form with that kind's reasons
// (the same GET the "Show the reasons for this" button sends without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var kind = document.getElementById("id_kind");
  var refresh = document.getElementById("kind-refresh");
  if (!kind || !refresh) return;
  refresh.classList.add("visually-hidden");
  kind.addEventListener("change", function () { refresh.click(); });
});
