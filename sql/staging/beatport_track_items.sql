-- model: staging.beatport_track_items
-- materialized: view
-- canonical: beatport_track_id = min(try_cast(item_id as bigint))
-- Beatport's tracks as track items, with their mix in the title unless it is the
-- original one.
select track_id::varchar as item_id, release_id::varchar as release_item_id,
    title || coalesce(' (' || nullif(mix_name, 'Original Mix') || ')', '') as title, artist_credit as artist,
    duration_ms, null::double as popularity, 'https://www.beatport.com/track/-/' || track_id as url, raw_file
from staging.beatport_tracks
