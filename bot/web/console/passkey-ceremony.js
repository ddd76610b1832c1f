// The console's only script: runs the WebAuthn ceremony a page asks for (register a passkey, or confirm a
// decision or an unlock with one) through @simplewebauthn/browser. With a #webauthn-form it submits that form
// with the response; with only a #webauthn-response field (the unlock page) it fills it, for the page's own form.
// Served from the console's own origin under a CSP that allows scripts from 'self' on these pages only.
(function () {
  'use strict';
  // The page may place this script before the form it fills: start once the document is parsed.
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
  function start() {
    var form = document.getElementById('webauthn-form');
    var field = form ? form.elements.namedItem('response') : document.getElementById('webauthn-response');
    var optionsNode = document.getElementById('webauthn-options');
    var button = document.getElementById('webauthn-start');
    var status = document.getElementById('webauthn-status');
    if (!field || !optionsNode || !button || !status || !window.SimpleWebAuthnBrowser) return;
    var options = JSON.parse(optionsNode.textContent);
    var register = form && form.getAttribute('data-ceremony') === 'register';
    button.hidden = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      status.textContent = 'Waiting for your passkey…';
      var lib = window.SimpleWebAuthnBrowser;
      var run = register ? lib.startRegistration({ optionsJSON: options }) : lib.startAuthentication({ optionsJSON: options });
      run.then(
        function (response) {
          field.value = JSON.stringify(response);
          if (form) {
            status.textContent = 'Checking…';
            form.submit();
          } else {
            button.hidden = true;
            status.textContent = 'Passkey confirmed. Now complete and submit the form.';
          }
        },
        function (e) {
          button.disabled = false;
          status.textContent = 'The passkey was not used (' + (e && e.name ? e.name : 'error') + '). Try again.';
        },
      );
    });
  }
})();
