/**
 * The shape of a language's wording: every sentence Sesame mails, as a table each language fills in full, so the
 * compiler refuses a language that forgets a sentence and no reader gets a message half in English.
 * @module
 */

/** The sentences of a message that carries a link and a code. */
export interface LinkWording {
  /** The subject line (and heading). */
  readonly subject: string;
  /** Why the reader gets this, naming the address concerned. */
  intro(address: string): string;
  /** The text part's line before the URL. */
  readonly lead: string;
  /** The HTML button's label. */
  readonly button: string;
  /** What happens if the reader does nothing. */
  readonly ignore: string;
}

/** Every sentence in one language. */
export interface Wording {
  /** The line before the bare URL under a button, for clients that do not show it. */
  readonly fallback: string;
  /** The line before a code. */
  readonly codeLead: string;
  /** How long a link and its code last (`duration` already in words), and that they work once. */
  expiry(duration: string): string;
  /** Small print: who the message went to and which service sent it. */
  footer(address: string, host: string): string;
  /** The reassurance that a notice needs no action from a reader who did what it reports. */
  readonly ifYou: string;
  /** The line before the service's address in a notice, saying to reset the password there with "forgot password". */
  readonly resetLead: string;
  /** The password reset message. */
  readonly resetPassword: LinkWording;
  /** The address verification message. */
  readonly verifyEmail: LinkWording;
  /** The message to a new address confirming an email change. */
  readonly confirmEmailChange: LinkWording;
  /** The notice to the old address of an email change. */
  readonly emailChangeNotice: {
    /** The subject line. */
    readonly subject: string;
    /** What is happening, naming the masked new address. */
    body(maskedAddress: string): string;
    /** What a reader who did not ask should fear. */
    readonly notYou: string;
  };
  /** The notice that a password was changed or reset. */
  readonly passwordChanged: {
    /** The subject line. */
    readonly subject: string;
    /** What happened and when (`date` already in words). */
    body(how: 'change' | 'reset', date: string): string;
    /** What a reader who did not do it should fear. */
    readonly notYou: string;
  };
  /** The invitation an operator sends (`sesame users invite`, `POST /admin/invitations`): a link to the sign-up page. */
  readonly invitation: {
    /** The subject line (and heading), naming the service's host. */
    subject(host: string): string;
    /** Why the reader gets this: an account may be created at `host` with this address. */
    intro(address: string, host: string): string;
    /** The text part's line before the URL. */
    readonly lead: string;
    /** The HTML button's label. */
    readonly button: string;
    /** That the link works once, until `date` (already in words). */
    expiry(date: string): string;
    /** What happens if the reader does nothing. */
    readonly ignore: string;
  };
  /**
   * The notice to an address that already has an account, after someone tried to register it again: sent instead of
   * answering "already registered", so only the mailbox's owner learns the address has an account.
   */
  readonly registrationAttempt: {
    /** The subject line. */
    readonly subject: string;
    /** What happened, naming the address, and that nothing was created or changed. */
    body(address: string): string;
    /** The line before the sign-in page's address: the owner who forgot having an account signs in instead. */
    readonly signInLead: string;
    /** The line before the forgotten-password page's address. */
    readonly forgotLead: string;
    /** What a reader who did not try need (not) do, and that this notice comes at most once a day. */
    readonly notYou: string;
  };
  /** The notice of a sign-in. */
  readonly newSignIn: {
    /** The subject line. */
    readonly subject: string;
    /** The line before the details. */
    readonly intro: string;
    /** The label of the date. */
    readonly when: string;
    /** The label of the device (User-Agent). */
    readonly device: string;
    /** The label of the IP address. */
    readonly ip: string;
    /** What a reader who did not sign in should fear. */
    readonly notYou: string;
  };
}
