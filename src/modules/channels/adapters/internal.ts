// Channels that live inside CityDesk: the LED-screen feed and print. "Sending" records the
// publication; the feed (/led/feed.json, /led/current.png) and the PDF read it back.
import { z } from 'zod';
import { cut, LIMITS } from '../limits.ts';
import type { Adapter } from '../types.ts';

const None = z.object({}).passthrough();

export const led: Adapter = {
  kind: 'led',
  fields: [],
  config: None,
  render: (p) => ({ parts: [cut(p.title, LIMITS.led.headline)], warnings: p.title.length > LIMITS.led.headline ? ['channels.warn.text_cut'] : [] }),
  publish: async (ctx) => ({ externalId: ctx.deliveryId, externalUrl: `${ctx.origin}/led/current.png`, result: {} }),
  update: async (ctx) => ({ externalId: ctx.deliveryId, externalUrl: `${ctx.origin}/led/current.png`, result: {} }),
  remove: async () => {},
};

export const print: Adapter = {
  kind: 'print',
  fields: [],
  config: None,
  render: (p) => ({ parts: [`${p.title}\n\n${p.lead}\n\n${p.bodyText}`], warnings: [] }),
  publish: async (ctx) => ({ externalId: ctx.deliveryId, externalUrl: `${ctx.origin}/console/channels/deliveries/${ctx.deliveryId}/print.pdf`, result: {} }),
  update: async (ctx) => ({ externalId: ctx.deliveryId, externalUrl: `${ctx.origin}/console/channels/deliveries/${ctx.deliveryId}/print.pdf`, result: {} }),
  remove: async () => {},
};
