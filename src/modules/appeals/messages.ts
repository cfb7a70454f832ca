import { defineMessages } from '../../i18n/define.ts';

export const messages = defineMessages({
  en: {},
  uk: {},
  fa: {},
});
