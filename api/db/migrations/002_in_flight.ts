/**
 * Version 2: each generation names the BullMQ queue of its job, and an index of the queued and
 * running ones for the recovery sweep (api/recovery.ts), which pages through them by id.
 * Partial: it holds only the generations in flight, so it stays small however many are done.
 * Rows written before this version have no queue; every API on the schema sweeps them.
 */
export const sql = `
ALTER TABLE generations ADD COLUMN queue text;
CREATE INDEX generations_in_flight ON generations (id) WHERE status IN ('queued', 'running');
`;
