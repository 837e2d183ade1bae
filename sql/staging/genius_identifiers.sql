-- model: staging.genius_identifiers
-- materialized: view
-- The Spotify and Apple Music pages Genius' songs link to (its media links).
select 'track' as entity, song_id::varchar as item_id, 'spotify' as kind, spotify_track_id as value,
    'genius media' as via
from staging.genius_songs
where spotify_track_id is not null
union all
select 'track', song_id::varchar, 'apple_music', apple_music_id, 'genius media' from staging.genius_songs
where apple_music_id is not null
