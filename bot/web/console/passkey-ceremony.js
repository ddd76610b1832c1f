// The console's only script: runs the WebAuthn ceremony a page asks for (register a passkey, or confirm a
// decision with one) through @simplewebauthn/browser, then submits the page's form with the response.
// Served from the console's own origin under a CSP that allows scripts from 'self' on these pages only.
(function () {
  'use strict';
  var form = document.getElementById('webauthn-form');
  var optionsNode = document.getElementById('webauthn-options');
  var button = document.getElementById('webauthn-start');
  var status = document.getElementById('webauthn-status');
  if (!form || !optionsNode || !button || !status || !window.SimpleWebAuthnBrowser) return;
  var options = JSON.parse(optionsNode.textContent);
  var register = form.getAttribute('data-ceremony') === 'register';
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    status.textContent = 'Waiting for your passkey…';
    var lib = window.SimpleWebAuthnBrowser;
    var run = register ? lib.startRegistration({ optionsJSON: options }) : lib.startAuthentication({ optionsJSON: options });
    run.then(
      function (response) {
        form.elements.namedItem('response').value = JSON.stringify(response);
        status.textContent = 'Checking…';
        form.submit();
      },
      function (e) {
        button.disabled = false;
        status.textContent = 'The passkey was not used (' + (e && e.name ? e.name : 'error') + '). Try again.';
      },
    );
  });
})();
