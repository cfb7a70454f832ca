import { z } from 'zod';

export const APPEAL_TYPES = ['proposal', 'statement', 'complaint', 'consultation', 'thanks'] as const;
export const APPEAL_CHANNELS = ['phone', 'web', 'email', 'messenger', 'facebook', 'walk_in', 'open311'] as const;
/** Types that the Law "On citizens' appeals" covers with a legal term, when the applicant is named. */
export const LEGAL_TYPES = new Set(['proposal', 'statement', 'complaint']);

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) => text(max).optional().transform((v) => (v ? v : undefined));

const Email = z.string().email();

export const Applicant = z
  .object({
    name: optionalText(200),
    phone: optionalText(40).refine((v) => v === undefined || /^\+?[\d\s()-]{9,20}$/.test(v), { message: 'phone' }),
    email: optionalText(200).refine((v) => v === undefined || Email.safeParse(v).success, { message: 'email' }),
    address: optionalText(300),
  })
  .strict();
export type Applicant = z.infer<typeof Applicant>;

export const NewAppeal = z
  .object({
    type: z.enum(APPEAL_TYPES).default('statement'),
    category_id: z.string().uuid(),
    description: text(5000).min(10),
    address: optionalText(300),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lon: z.coerce.number().min(-180).max(180).optional(),
    // The address register's street and building, when the address was found there (005).
    street_id: z.string().uuid().optional(),
    building_id: z.string().uuid().optional(),
    applicant: Applicant.prefault({}),
    confidential: z.boolean().default(false),
    notify_via: z.enum(['email', 'sms', 'telegram', 'none']).optional(),
    answer: optionalText(5000),
  })
  .strict();
export type NewAppeal = z.input<typeof NewAppeal>;

export const Rating = z.object({ rating: z.coerce.number().int().min(1).max(5), comment: optionalText(2000) }).strict();
