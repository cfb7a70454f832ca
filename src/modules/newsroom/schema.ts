import { z } from 'zod';
import { MATERIAL_TYPES } from './tables.ts';
import { CHANNELS } from '../channels/types.ts';

const Uuid = z.string().uuid();
const optionalId = z.preprocess((v) => (v === '' ? null : v), Uuid.nullable().optional());
const optionalText = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v.trim() || null : v), z.string().max(max).nullable().optional());

/** A video is a link to YouTube or Facebook, or (video_media_id) a video file of the media library. */
export const VIDEO_HOSTS = /^https:\/\/(www\.|m\.)?(youtube\.com|youtu\.be|facebook\.com|fb\.watch)\//i;
const VideoUrl = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() || null : v),
  z.string().max(500).regex(VIDEO_HOSTS, { message: 'newsroom.error.video_url' }).nullable().optional(),
);

/** Tags typed as "ремонт, безбар'єрність" or sent as a list; created on the fly. */
export const TagList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',') : v),
  z.array(z.string().trim().max(80)).max(30).transform((a) => [...new Set(a.map((x) => x.replace(/\s+/g, ' ')).filter(Boolean))]),
);

/** What belongs to the material as a whole, shared by its language versions. */
export const MaterialFields = z.object({
  type: z.enum(MATERIAL_TYPES),
  category_id: optionalId,
  rubric_id: optionalId,
  campaign_id: optionalId,
  place: optionalText(200),
  urgent: z.boolean().default(false),
  video_url: VideoUrl,
  /** Left out (undefined): the material keeps its uploaded video; '' or null: none. */
  video_media_id: optionalId,
  tags: TagList.default([]),
});
export type MaterialFields = z.infer<typeof MaterialFields>;

const ChannelTexts = z.partialRecord(z.enum(CHANNELS), z.string().max(5000)).default({});

/** One language version's text and where it goes. */
export const VersionFields = z.object({
  title: z.string().trim().min(1).max(300),
  lead: z.string().trim().max(1000).default(''),
  body_html: z.string().max(200_000).default(''),
  channels: z.array(z.enum(CHANNELS)).max(CHANNELS.length).default([]),
  channel_texts: ChannelTexts,
});
export type VersionFields = z.infer<typeof VersionFields>;

export const NewMaterial = MaterialFields.extend({ lang: z.enum(['uk', 'en', 'fa']), version: VersionFields });
export type NewMaterial = z.infer<typeof NewMaterial>;

export const Correction = VersionFields.extend({ note: z.string().trim().min(3, { message: 'newsroom.error.note_required' }).max(500) });
export type Correction = z.infer<typeof Correction>;

export const Code = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{1,40}$/);
export const Names = z.object({ uk: z.string().trim().max(120).optional(), en: z.string().trim().max(120).optional(), fa: z.string().trim().max(120).optional() })
  .refine((n) => !!(n.uk || n.en || n.fa), { message: 'required' });

export const NewCampaign = z.object({
  code: Code,
  names: Names,
  goals: z.object({ uk: z.string().max(1000).optional(), en: z.string().max(1000).optional(), fa: z.string().max(1000).optional() }).default({}),
  tag: z.string().trim().max(80).optional(),
  starts_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  ends_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  channels: z.array(z.enum(CHANNELS)).default([]),
}).refine((c) => c.ends_on >= c.starts_on, { path: ['ends_on'], message: 'newsroom.error.period' });
export type NewCampaign = z.infer<typeof NewCampaign>;

export const PhotoText = z.object({ alt: z.string().trim().max(300), caption: z.string().trim().max(500).default(''), credit: z.string().trim().max(120).default('') });
