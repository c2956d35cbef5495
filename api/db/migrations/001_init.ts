/** Version 1: generations and images. */
export const sql = `
CREATE TABLE generations (
  id              uuid PRIMARY KEY,
  user_id         text NOT NULL,
  status          text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  progress        smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  category        text NOT NULL,
  image_name      text NOT NULL UNIQUE,
  params          jsonb NOT NULL,
  idempotency_key text,
  request_hash    text,
  error           text,
  attempts        integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  completed_at    timestamptz,
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX generations_user_created ON generations (user_id, created_at DESC);

CREATE TABLE images (
  name          text PRIMARY KEY,
  user_id       text NOT NULL,
  generation_id uuid UNIQUE REFERENCES generations (id) ON DELETE SET NULL,
  s3_key        text NOT NULL UNIQUE,
  category      text NOT NULL,
  content_type  text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
  width         integer NOT NULL,
  height        integer NOT NULL,
  parameters    jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_user_created ON images (user_id, created_at DESC, name DESC);
`;
