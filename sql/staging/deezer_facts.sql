-- model: staging.deezer_facts
-- materialized: view
-- What Deezer says of its albums and tracks: the label, and explicit lyrics.
select 'release' as entity, album_id::varchar as item_id, 'label' as field, label as value
from staging.deezer_albums
union all
select 'release', album_id::varchar, 'explicit', explicit::varchar from staging.deezer_albums
union all
select 'track', track_id::varchar, 'explicit', explicit::varchar from staging.deezer_tracks
