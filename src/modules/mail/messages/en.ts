/**
 * Sesame's messages in English, the language of any reader whose language Sesame does not write: plain words, and
 * every security notice saying what to do when the reader did not do what it reports.
 * @module
 */
import type { Wording } from './wording.js';

/** The English wording. */
export const en: Wording = {
  fallback: 'If the button does not work, copy this address into your browser:',
  codeLead: 'Or enter this code:',
  expiry: (duration) => `The link and the code work once, for ${duration}.`,
  footer: (address, host) => `This message was sent to ${address} about your account at ${host}.`,
  ifYou: 'If it was you, there is nothing to do.',
  resetLead: 'Go to this address and choose “Forgot password”:',
  resetPassword: {
    subject: 'Reset your password',
    intro: () => 'Someone (hopefully you) asked to reset the password of your account.',
    lead: 'To choose a new password, open this link:',
    button: 'Choose a new password',
    ignore: 'If you did not ask for this, ignore this message: your password stays as it is.',
  },
  verifyEmail: {
    subject: 'Confirm your email address',
    intro: (address) => `Please confirm that ${address} is your email address.`,
    lead: 'To confirm it, open this link:',
    button: 'Confirm my address',
    ignore: 'If you did not ask for this, ignore this message: nothing changes and the address stays unconfirmed.',
  },
  confirmEmailChange: {
    subject: 'Confirm your new email address',
    intro: (address) => `Someone (hopefully you) asked to change the email address of an account to ${address}.`,
    lead: 'To confirm the change, open this link:',
    button: 'Confirm the new address',
    ignore: 'If you did not ask for this, ignore this message: the account keeps its current address.',
  },
  emailChangeNotice: {
    subject: 'Your email address is being changed',
    body: (masked) =>
      `Someone (hopefully you) asked to change the email address of your account to ${masked}. The change takes effect only once the new address is confirmed.`,
    notYou: 'If it was not you, someone may know your password: reset it now, before the new address is confirmed.',
  },
  passwordChanged: {
    subject: 'Your password was changed',
    body: (how, date) =>
      how === 'reset'
        ? `The password of your account was reset on ${date}, with a link or code sent to this address.`
        : `The password of your account was changed on ${date}.`,
    notYou: 'If it was not you, someone else has access to your account: reset your password now.',
  },
  invitation: {
    subject: (host) => `You are invited to create an account at ${host}`,
    intro: (address, host) => `An administrator of ${host} invited ${address} to create an account.`,
    lead: 'To create your account, open this link:',
    button: 'Create my account',
    expiry: (date) => `The link works once, until ${date}.`,
    ignore: 'If you do not want an account, ignore this message: nothing is created.',
  },
  registrationAttempt: {
    subject: 'Someone tried to sign up with your address',
    body: (address) =>
      `Someone (perhaps you) tried to create an account with ${address}. This address already has an account, so no new account was created and yours did not change.`,
    signInLead: 'If it was you, sign in to the account you already have:',
    forgotLead: 'If you do not remember its password, choose a new one here:',
    notYou:
      'If it was not you, there is nothing to do: nobody can use your account without your password. This notice is sent at most once a day.',
  },
  newSignIn: {
    subject: 'New sign-in to your account',
    intro: 'Someone signed in to your account:',
    when: 'When',
    device: 'Device',
    ip: 'IP address',
    notYou: 'If it was not you, someone knows your password: reset it now.',
  },
};
