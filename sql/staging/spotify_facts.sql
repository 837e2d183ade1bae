-- model: staging.spotify_facts
-- materialized: view
-- What Spotify says of its albums and tracks: the label (extended-quota apps only), and
-- explicit lyrics, which Spotify flags on tracks: an album with an explicit track is
-- explicit.
select 'release' as entity, album_id as item_id, 'label' as field, label as value
from staging.spotify_albums
union all
select 'release', album_id, 'explicit', bool_or(explicit)::varchar from staging.spotify_tracks group by album_id
union all
select 'track', track_id, 'explicit', explicit::varchar from staging.spotify_tracks
