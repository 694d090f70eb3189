/**
 * Sesame's messages in French, written as French, not translated word for word: the typography sets a non-breaking
 * space before « : » and inside guillemets, so a line never starts with a colon.
 * @module
 */
import type { Wording } from './wording.js';

/** The non-breaking space French typography puts before a colon and inside « ». */
const NB = '\u00a0';

/** The French wording. */
export const fr: Wording = {
  fallback: `Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur${NB}:`,
  codeLead: `Ou saisissez ce code${NB}:`,
  expiry: (duration) => `Le lien et le code sont valables ${duration} et ne servent qu’une fois.`,
  footer: (address, host) => `Ce message a été envoyé à ${address} au sujet de votre compte sur ${host}.`,
  ifYou: 'Si c’est bien vous, vous n’avez rien à faire.',
  resetLead: `Rendez-vous à cette adresse et choisissez «${NB}Mot de passe oublié${NB}»${NB}:`,
  resetPassword: {
    subject: 'Réinitialisez votre mot de passe',
    intro: () => 'Quelqu’un (vous, espérons-le) a demandé à réinitialiser le mot de passe de votre compte.',
    lead: `Pour choisir un nouveau mot de passe, ouvrez ce lien${NB}:`,
    button: 'Choisir un nouveau mot de passe',
    ignore: `Si vous n’êtes pas à l’origine de cette demande, ignorez ce message${NB}: votre mot de passe reste inchangé.`,
  },
  verifyEmail: {
    subject: 'Confirmez votre adresse e-mail',
    intro: (address) => `Merci de confirmer que ${address} est bien votre adresse e-mail.`,
    lead: `Pour la confirmer, ouvrez ce lien${NB}:`,
    button: 'Confirmer mon adresse',
    ignore: `Si vous n’êtes pas à l’origine de cette demande, ignorez ce message${NB}: rien ne change et l’adresse reste non confirmée.`,
  },
  confirmEmailChange: {
    subject: 'Confirmez votre nouvelle adresse e-mail',
    intro: (address) => `Quelqu’un (vous, espérons-le) a demandé à remplacer l’adresse e-mail d’un compte par ${address}.`,
    lead: `Pour confirmer ce changement, ouvrez ce lien${NB}:`,
    button: 'Confirmer la nouvelle adresse',
    ignore: `Si vous n’êtes pas à l’origine de cette demande, ignorez ce message${NB}: le compte garde son adresse actuelle.`,
  },
  emailChangeNotice: {
    subject: 'Votre adresse e-mail va être modifiée',
    body: (masked) =>
      `Quelqu’un (vous, espérons-le) a demandé à remplacer l’adresse e-mail de votre compte par ${masked}. Le changement ne prendra effet qu’une fois la nouvelle adresse confirmée.`,
    notYou: `Si ce n’est pas vous, quelqu’un connaît peut-être votre mot de passe${NB}: réinitialisez-le dès maintenant, avant que la nouvelle adresse ne soit confirmée.`,
  },
  passwordChanged: {
    subject: 'Votre mot de passe a été modifié',
    body: (how, date) =>
      how === 'reset'
        ? `Le mot de passe de votre compte a été réinitialisé le ${date}, à l’aide d’un lien ou d’un code envoyé à cette adresse.`
        : `Le mot de passe de votre compte a été modifié le ${date}.`,
    notYou: `Si ce n’est pas vous, quelqu’un d’autre a accès à votre compte${NB}: réinitialisez votre mot de passe dès maintenant.`,
  },
  invitation: {
    subject: (host) => `Vous êtes invité à créer un compte sur ${host}`,
    intro: (address, host) => `Un administrateur de ${host} a invité ${address} à créer un compte.`,
    lead: `Pour créer votre compte, ouvrez ce lien${NB}:`,
    button: 'Créer mon compte',
    expiry: (date) => `Le lien ne sert qu’une fois, jusqu’au ${date}.`,
    ignore: `Si vous ne voulez pas de compte, ignorez ce message${NB}: rien n’est créé.`,
  },
  registrationAttempt: {
    subject: 'Quelqu’un a tenté de s’inscrire avec votre adresse',
    body: (address) =>
      `Quelqu’un (vous, peut-être) a tenté de créer un compte avec ${address}. Cette adresse a déjà un compte${NB}: aucun nouveau compte n’a été créé et le vôtre n’a pas changé.`,
    signInLead: `Si c’était vous, connectez-vous au compte que vous avez déjà${NB}:`,
    forgotLead: `Si vous ne vous souvenez plus de son mot de passe, choisissez-en un nouveau ici${NB}:`,
    notYou: `Si ce n’était pas vous, vous n’avez rien à faire${NB}: personne ne peut utiliser votre compte sans votre mot de passe. Cet avis est envoyé au plus une fois par jour.`,
  },
  newSignIn: {
    subject: 'Nouvelle connexion à votre compte',
    intro: `Quelqu’un s’est connecté à votre compte${NB}:`,
    when: 'Date',
    device: 'Appareil',
    ip: 'Adresse IP',
    notYou: `Si ce n’est pas vous, quelqu’un connaît votre mot de passe${NB}: réinitialisez-le dès maintenant.`,
  },
};
