-- model: staging.tidal_facts
-- materialized: view
-- What TIDAL says of its albums and tracks, field by field: the explicit flag of each
-- ('true' / 'false'), which TIDAL gives on albums and tracks alike. TIDAL names no
-- label (`copyright` is a line such as "℗ 2024 Interscope Records", and its
-- `providers` relationship is the distributor): none is read from them, so TIDAL takes
-- no place in the precedence of labels and catalog numbers; its explicit flags count as
-- any store's (a release is explicit when any listing says so).
select 'release'::varchar as entity, album_id::varchar as item_id, 'explicit'::varchar as field,
       explicit::varchar as value
from staging.tidal_albums
where explicit is not null
union all
select 'track', track_id, 'explicit', explicit::varchar from staging.tidal_tracks where explicit is not null
