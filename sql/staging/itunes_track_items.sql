-- model: staging.itunes_track_items
-- materialized: view
-- iTunes' songs as track items; its music videos are other recordings. Its ids are
-- Apple Music's, so canonical.tracks shows them there.
select track_id::varchar as item_id, collection_id::varchar as release_item_id, title, artist_name as artist,
    duration_ms, null::double as popularity, 'https://music.apple.com/song/' || track_id as url, raw_file
from staging.itunes_tracks
where kind = 'song'
