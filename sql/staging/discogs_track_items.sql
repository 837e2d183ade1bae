-- model: staging.discogs_track_items
-- materialized: view
-- Discogs' tracklist positions as track items (a track has no id of its own there:
-- the release's id and the position name it), each linking to its release's page.
select release_id || '#' || ordinal as item_id, release_id::varchar as release_item_id, title,
    artist_credit as artist, duration_s * 1000 as duration_ms, null::double as popularity,
    'https://www.discogs.com/release/' || release_id as url, raw_file
from staging.discogs_tracks
