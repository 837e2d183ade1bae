-- model: staging.lastfm_track_items
-- materialized: view
-- canonical: lastfm_url = min(item_id)
-- Last.fm's tracks as track items, named by their page; popularity is listeners.
select url as item_id, null::varchar as release_item_id, title, artist_name as artist, duration_ms,
    listeners::double as popularity, url, raw_file
from staging.lastfm_tracks
