import nodemailer from 'nodemailer';
import type { SignInMailer } from '../web/console/console-sign-in-routes.js';

/** Sends console sign-in links over SMTP. The link goes straight to the server, never through the outbox (it is a credential). */
export function signInMailer(smtpUrl: string, from: string): SignInMailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  return async (to, url, expiresAt) => {
    await transport.sendMail({
      from, to, subject: '[dualkey] Your sign-in link',
      text: `Open this link to sign in to the dualkey console. It works once, for you only, until ${expiresAt.toISOString().slice(11, 16)} UTC:\n\n${url}\n\nIf you did not ask for it, ignore this e-mail: nothing happens unless the link is opened and confirmed.\n`,
    });
  };
}
