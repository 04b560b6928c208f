/// The dashboard's only script, inline. Two jobs:
/// - Refresh the page every 30 s, but not while the admin token is being typed (a reload would lose it).
/// - The requeue buttons: `POST api/admin/leads/{id}/requeue` with the admin token as a bearer token. The owner types
///   the token once; it is kept in `sessionStorage` only (gone when the tab closes), never written into the page, a
///   cookie, or a URL. There is no `<form>`, so no browser can ever submit the token as a query string.
///
/// Texts come from `data-` attributes of `<body>` (escaped like everything else); nothing dynamic is written into the
/// script itself.
enum DashboardScript {
    static let javaScript = HTML.trusted(
        """
        (function () {
          "use strict";
          var KEY = "leadledger.adminToken";
          var text = document.body.dataset;
          var field = document.getElementById("token");
          var state = document.getElementById("token-state");
          var forget = document.getElementById("token-forget");
          function token() { try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; } }
          function showState(message) { if (state) { state.textContent = message; } }
          function refreshTokenUI() {
            if (forget) { forget.hidden = !token(); }
            if (token()) { showState(text.tokenSaved); }
          }
          function save() {
            if (!field || !field.value) { return; }
            try { sessionStorage.setItem(KEY, field.value); } catch (e) {}
            field.value = "";
            field.blur();
            refreshTokenUI();
          }
          var saveButton = document.getElementById("token-save");
          if (saveButton) { saveButton.addEventListener("click", save); }
          if (field) {
            field.addEventListener("keydown", function (event) { if (event.key === "Enter") { save(); } });
          }
          if (forget) {
            forget.addEventListener("click", function () {
              try { sessionStorage.removeItem(KEY); } catch (e) {}
              showState("");
              refreshTokenUI();
            });
          }
          refreshTokenUI();
          var busy = 0;
          Array.prototype.forEach.call(document.querySelectorAll("button.requeue"), function (button) {
            button.addEventListener("click", function () {
              var result = button.parentNode.querySelector(".result");
              var bearer = token();
              if (!bearer) {
                result.textContent = text.tokenMissing;
                if (field) { field.focus(); }
                return;
              }
              button.disabled = true;
              busy += 1;
              fetch("api/admin/leads/" + encodeURIComponent(button.dataset.lead) + "/requeue", {
                method: "POST", headers: { "Authorization": "Bearer " + bearer },
                credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer"
              }).then(function (response) {
                if (response.ok) {
                  result.textContent = text.requeued;
                } else if (response.status === 401) {
                  try { sessionStorage.removeItem(KEY); } catch (e) {}
                  refreshTokenUI();
                  result.textContent = text.tokenRejected;
                  button.disabled = false;
                } else {
                  result.textContent = text.requeueFailed + " (HTTP " + response.status + ")";
                  button.disabled = false;
                }
              }, function () {
                result.textContent = text.requeueFailed;
                button.disabled = false;
              }).then(function () { busy -= 1; });
            });
          });
          function tick() {
            var typing = field && (document.activeElement === field || field.value);
            if (typing || busy > 0) { setTimeout(tick, 5000); return; }
            location.reload();
          }
          setTimeout(tick, 30000);
        })();
        """)
}
