-- model: staging.apple_music_facts
-- materialized: view
-- What Apple Music says of its albums and songs: the record label, and explicit lyrics.
select 'release' as entity, album_id as item_id, 'label' as field, label as value
from staging.apple_music_albums
union all
select 'release', album_id, 'explicit', explicit::varchar from staging.apple_music_albums
union all
select 'track', song_id, 'explicit', explicit::varchar from staging.apple_music_tracks
