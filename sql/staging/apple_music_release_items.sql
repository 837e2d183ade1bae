-- model: staging.apple_music_release_items
-- materialized: view
-- canonical: apple_music_album_id = min(item_id)
-- Apple Music's albums as release items, with its pre-release flag.
select album_id as item_id, title, artist_name as artist, gtin, release_date, track_count,
    null::double as popularity, url, is_prerelease, raw_file
from staging.apple_music_albums
