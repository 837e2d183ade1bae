-- model: staging.genius_track_items
-- materialized: view
-- canonical: genius_song_id = min(try_cast(item_id as bigint))
-- Genius' songs as track items.
select song_id::varchar as item_id, album_id::varchar as release_item_id, title, artist_name as artist,
    null::bigint as duration_ms, null::double as popularity, url, raw_file
from staging.genius_songs
