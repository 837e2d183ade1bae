-- model: staging.deezer_release_items
-- materialized: view
-- canonical: deezer_album_id = min(try_cast(item_id as bigint))
-- canonical: deezer_fans = max(popularity)::bigint
-- Deezer's albums as release items; popularity is the album's fans.
select album_id::varchar as item_id, title, artist_name as artist, gtin, release_date, track_count,
    fans::double as popularity, 'https://www.deezer.com/album/' || album_id as url, raw_file
from staging.deezer_albums
