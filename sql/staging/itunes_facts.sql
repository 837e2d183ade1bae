-- model: staging.itunes_facts
-- materialized: view
-- What iTunes says of its collections and songs: explicit lyrics.
select 'release' as entity, collection_id::varchar as item_id, 'explicit' as field, explicit::varchar as value
from staging.itunes_albums
union all
select 'track', track_id::varchar, 'explicit', explicit::varchar from staging.itunes_tracks where kind = 'song'
