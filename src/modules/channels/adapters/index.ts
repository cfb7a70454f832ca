import type { Adapter, ChannelKind } from '../types.ts';
import { telegram } from './telegram.ts';
import { facebook } from './facebook.ts';
import { instagram } from './instagram.ts';
import { eitaa } from './eitaa.ts';
import { emailPress } from './email-press.ts';
import { webpush } from './webpush.ts';
import { led, print } from './internal.ts';

const ADAPTERS: Record<ChannelKind, Adapter> = { telegram, facebook, instagram, eitaa, email_press: emailPress, webpush, led, print };

export const adapterFor = (kind: ChannelKind): Adapter => ADAPTERS[kind];
