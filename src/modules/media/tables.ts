// Kysely types of this module's tables (its migrations are the truth); merged into Database.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MediaTables {}
