-- model: staging.spotify_release_items
-- materialized: view
-- canonical: spotify_album_id = min(item_id)
-- Spotify's albums as release items.
select album_id as item_id, title, artist_credit as artist, gtin, release_date, track_count,
    popularity::double as popularity, 'https://open.spotify.com/album/' || album_id as url, raw_file
from staging.spotify_albums
