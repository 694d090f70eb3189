/**
 * The account page's own texts (`/account/`): its sections and the links to the pages that act on the account. The
 * pages behind those links keep theirs in account-security.ts and account-details.ts, so each area's words sit in
 * one file, English and French side by side (the type refuses a French set that misses or adds a key).
 * @module
 */

/** The account page's English texts, by key. */
export const accountHomeEn = {
  'account.title': 'Your account',
  'account.signedInAs': 'You are signed in as {email}.',
  'account.signOut': 'Sign out',
  'account.back': 'Back to your account',
  'account.address.title': 'Email address',
  'account.address.verified': 'Confirmed',
  'account.address.unverified': 'Not confirmed yet',
  'account.address.change': 'Change email address',
  'account.address.resend': 'Send the confirmation message again',
  'account.done.language': 'Your language is saved.',
  'account.done.resend': 'If your address still needs confirming, a new message is on its way to it.',
  'account.language.title': 'Language',
  'account.language.label': 'Language of pages and messages',
  'account.language.submit': 'Save language',
  'account.sessions.title': 'Where you are signed in',
  'account.sessions.current': 'This device',
  'account.sessions.unknownDevice': 'Unknown browser',
  'account.sessions.unknownIp': 'unknown',
  'account.sessions.ip': 'IP address',
  'account.sessions.signedIn': 'Signed in',
  'account.sessions.lastSeen': 'Last active',
  'account.sessions.endOne': 'Sign out this session',
  'account.sessions.endOthers': 'Sign out all other sessions',
  'account.security.title': 'Security and data',
  'account.security.password': 'Change password',
  'account.security.events': 'Recent security events',
  'account.security.export': 'Download my data',
  'account.security.delete': 'Delete my account',
} as const;

/** The account page's French texts, key for key. */
export const accountHomeFr: Readonly<Record<keyof typeof accountHomeEn, string>> = {
  'account.title': 'Votre compte',
  'account.signedInAs': 'Vous êtes connecté en tant que {email}.',
  'account.signOut': 'Se déconnecter',
  'account.back': 'Retour à votre compte',
  'account.address.title': 'Adresse e-mail',
  'account.address.verified': 'Confirmée',
  'account.address.unverified': 'Pas encore confirmée',
  'account.address.change': 'Changer d’adresse e-mail',
  'account.address.resend': 'Renvoyer le message de confirmation',
  'account.done.language': 'Votre langue est enregistrée.',
  'account.done.resend': 'Si votre adresse doit encore être confirmée, un nouveau message est en route vers elle.',
  'account.language.title': 'Langue',
  'account.language.label': 'Langue des pages et des messages',
  'account.language.submit': 'Enregistrer la langue',
  'account.sessions.title': 'Où vous êtes connecté',
  'account.sessions.current': 'Cet appareil',
  'account.sessions.unknownDevice': 'Navigateur inconnu',
  'account.sessions.unknownIp': 'inconnue',
  'account.sessions.ip': 'Adresse IP',
  'account.sessions.signedIn': 'Connexion',
  'account.sessions.lastSeen': 'Dernière activité',
  'account.sessions.endOne': 'Déconnecter cette session',
  'account.sessions.endOthers': 'Déconnecter toutes les autres sessions',
  'account.security.title': 'Sécurité et données',
  'account.security.password': 'Changer de mot de passe',
  'account.security.events': 'Événements de sécurité récents',
  'account.security.export': 'Télécharger mes données',
  'account.security.delete': 'Supprimer mon compte',
};
