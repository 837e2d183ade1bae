-- model: staging.deezer_track_items
-- materialized: view
-- canonical: deezer_track_id = min(try_cast(item_id as bigint))
-- canonical: deezer_track_count = count(*)
-- canonical: deezer_rank = max(popularity)::bigint
-- Deezer's tracks as track items; popularity is the track's rank.
select track_id::varchar as item_id, album_id::varchar as release_item_id, title, artist_name as artist,
    duration_s * 1000 as duration_ms, rank::double as popularity, 'https://www.deezer.com/track/' || track_id as url,
    raw_file
from staging.deezer_tracks
