/**
 * The messages Sesame mails, in each language it writes, with a text and an HTML part: the one import its callers
 * need, so how the messages are worded and laid out can change behind it.
 * @module
 */
export { type Language, LANGUAGES, isLanguage, negotiateLanguage } from './language.js';
export {
  type Recipient,
  type TokenLink,
  resetPasswordMessage,
  verifyEmailMessage,
  confirmEmailChangeMessage,
  emailChangeNoticeMessage,
  passwordChangedMessage,
  newSignInMessage,
  registrationAttemptMessage,
  registrationLinks,
  invitationMessage,
  invitationLink,
} from './builders.js';
export { maskAddress } from './format.js';
