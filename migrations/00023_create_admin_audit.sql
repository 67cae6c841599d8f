-- Every request to the admin API, refused or not, and what each write changed: the record an
-- operator reads after the fact ("who published rule set 7, and what did it replace?").
-- Written by indexer/src/api/admin: one row per request, inserted before an authenticated request's
-- handler runs (outcome 'started') and completed once when it is answered, so a write whose process
-- died mid-request still leaves its attempt on record.
create table admin_audit (
  id bigint generated always as identity constraint admin_audit_pkey primary key,
  at timestamptz not null default now(),
  -- who: the X-Admin-Actor header of an authenticated request, else "anonymous"
  actor text not null,
  -- the route: method and path template, e.g. "POST /v1/admin/rule-sets/publish"
  action text not null,
  -- started (not answered yet, or the process stopped) | ok | disabled | unauthorized | forbidden
  -- | refused:<error code> | failed
  outcome text not null,
  -- the HTTP status answered; null while started
  status smallint,
  answered_at timestamptz,
  -- the state the write replaced and the state it left (null for reads and refusals)
  before jsonb,
  after jsonb,
  request_id text,
  remote_address text
);

create index admin_audit_at_idx on admin_audit (at);
