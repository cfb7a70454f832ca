import type { Message } from './i18n.ts';

/** A module's catalog: every key in all three languages (the type checker enforces it). */
export function defineMessages<K extends string>(m: { en: Record<K, Message>; uk: Record<NoInfer<K>, Message>; fa: Record<NoInfer<K>, Message> }) {
  return m;
}
