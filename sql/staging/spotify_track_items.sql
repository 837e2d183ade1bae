-- model: staging.spotify_track_items
-- materialized: view
-- canonical: spotify_track_id = min(item_id)
-- Spotify's tracks as track items.
select track_id as item_id, album_id as release_item_id, title, artist_credit as artist, duration_ms,
    null::double as popularity, 'https://open.spotify.com/track/' || track_id as url, raw_file
from staging.spotify_tracks
