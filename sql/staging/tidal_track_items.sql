-- model: staging.tidal_track_items
-- materialized: view
-- canonical: tidal_track_id = min(try_cast(item_id as bigint))
-- TIDAL's tracks in the conformed shape of track items, on the album they were seen
-- on. Videos are not here (staging.tidal_videos): another recording, not a track.
-- The title carries the track's `version` in parentheses, as other stores show it.
select
    track_id::varchar as item_id,
    album_id::varchar as release_item_id,
    (title || coalesce(' (' || version || ')', ''))::varchar as title,
    artist_credit::varchar as artist,
    duration_ms::bigint as duration_ms,
    popularity::double as popularity,
    url::varchar as url,
    raw_file::varchar as raw_file
from staging.tidal_tracks
